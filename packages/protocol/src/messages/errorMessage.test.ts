import { decodeDer, parseOne } from "../asn1/codec";
import { bytesEqual } from "../asn1/tlv";
import { type CryptoProvider, nodeProvider } from "../crypto/provider";
import { SetError } from "../errors";
import { ErrorTBS } from "../schema/error";
import { decodeMessage, encodeMessage, type MessageWrapper } from "../schema/message";
import { createTestPki, type TestPki } from "../testing/pki";
import { errorMessage, isErrorMessage, RemoteSetError, readError } from "./errorMessage";
import { flip, messageFixture } from "./fixture.test-helper";
import { signPRes } from "./pRes";
import { wrapMessage } from "./wrapper";

const node = nodeProvider();
const fixedNow = new Date(Date.UTC(2026, 10, 25, 9, 30, 15, 500));
/** The node provider with a pinned clock, so the Error header's date is known. */
const p: CryptoProvider = { ...node, random: (n) => node.random(n), now: () => fixedNow };

const ids = {
  rrpid: new Uint8Array(20).fill(0x11),
  lid_C: Uint8Array.of(1, 2, 3),
  lid_M: new TextEncoder().encode("order-7"),
  xid: new Uint8Array(20).fill(0x22),
};

const errorOf = (wrapper: MessageWrapper) => {
  if (wrapper.message.type !== "error") throw new Error(`not an Error: ${wrapper.message.type}`);
  return wrapper.message.value;
};
const tbsOf = (wrapper: MessageWrapper) => {
  const e = errorOf(wrapper);
  if (e.type !== "unsignedError") throw new Error("signed");
  return e.value;
};

describe("SET Error messages", () => {
  let pki: TestPki;
  let offending: Uint8Array;

  beforeAll(async () => {
    pki = await createTestPki(p);
    const m = await messageFixture(p, pki);
    const pRes = await signPRes(p, m.signer("merchantSig"), m.pResData);
    offending = wrapMessage({ type: "purchaseResponse", value: pRes }, ids, {
      date: new Date(Date.UTC(2026, 0, 1)),
    });
  });

  it("answers a message whose header decodes with that header, and copies its ids into its own", async () => {
    const bytes = await errorMessage(p, new SetError("unknownXID", "no such XID"), offending);
    const w = decodeMessage(bytes);
    expect(w.messageHeader).toEqual({
      version: 1,
      revision: 0,
      date: new Date(Date.UTC(2026, 10, 25, 9, 30, 15)),
      messageIDs: { lid_C: ids.lid_C, lid_M: ids.lid_M, xid: ids.xid },
      rrpid: ids.rrpid,
      swIdent: "SETLab/0.1",
    });
    const tbs = tbsOf(w);
    expect(tbs.errorCode).toBe("unknownXID");
    expect(tbs.errorNonce).toHaveLength(20);
    expect(tbs.errorOID).toBeUndefined();
    expect(tbs.errorMsg).toEqual({ type: "messageHeader", value: decodeMessage(offending).messageHeader });
    await expect(readError(p, errorOf(w))).resolves.toEqual({ code: "unknownXID", signed: false });
  });

  it("uses options.date for its header, and a fresh errorNonce each time", async () => {
    const date = new Date(Date.UTC(2030, 1, 2, 3, 4, 5));
    const a = decodeMessage(await errorMessage(p, new SetError("unknownXID", "x"), offending, { date }));
    const b = decodeMessage(await errorMessage(p, new SetError("unknownXID", "x"), offending, { date }));
    expect(a.messageHeader.date).toEqual(date);
    expect(bytesEqual(tbsOf(a).errorNonce, tbsOf(b).errorNonce)).toBe(false);
  });

  it("carries the failure's OID as errorOID, and drops one that is no OID rather than failing", async () => {
    const oid = "2.23.42.1.99";
    const w = decodeMessage(
      await errorMessage(p, new SetError("unrecognizedExtension", "x", "here", oid), offending),
    );
    expect(tbsOf(w).errorOID).toBe(oid);
    await expect(readError(p, errorOf(w))).resolves.toEqual({
      code: "unrecognizedExtension",
      signed: false,
      oid,
    });
    const bad = decodeMessage(
      await errorMessage(p, new SetError("unrecognizedExtension", "x", "here", "not an oid"), offending),
    );
    expect(tbsOf(bad).errorOID).toBeUndefined();
    expect(tbsOf(bad).errorCode).toBe("unrecognizedExtension");
  });

  it("quotes bytes that are no wrapper as badWrapper, at most 20 000 of them, and one zero byte for nothing", async () => {
    const garbage = Uint8Array.of(1, 2, 3, 4);
    const a = decodeMessage(await errorMessage(p, new SetError("decodingFailure", "x"), garbage));
    expect(tbsOf(a).errorMsg).toEqual({ type: "badWrapper", value: garbage });
    expect(a.messageHeader.messageIDs).toBeUndefined();
    expect(a.messageHeader.rrpid).toBeUndefined();
    const big = new Uint8Array(30000).fill(7);
    const b = decodeMessage(await errorMessage(p, new SetError("messageTooBig", "x"), big));
    expect(tbsOf(b).errorMsg).toEqual({ type: "badWrapper", value: big.subarray(0, 20000) });
    const c = decodeMessage(await errorMessage(p, new SetError("decodingFailure", "x"), new Uint8Array(0)));
    expect(tbsOf(c).errorMsg).toEqual({ type: "badWrapper", value: Uint8Array.of(0) });
  });

  it("answers a wrapper with a foreign version with its header (versionTooNew)", async () => {
    const w = decodeMessage(offending);
    const v2 = encodeMessage({ ...w, messageHeader: { ...w.messageHeader, version: 2 } });
    expect(() => decodeMessage(v2)).toThrow(SetError);
    const e = decodeMessage(await errorMessage(p, new SetError("versionTooNew", "x"), v2));
    const msg = tbsOf(e).errorMsg;
    expect(msg.type).toBe("messageHeader");
    expect(msg.type === "messageHeader" && msg.value.version).toBe(2);
  });

  it("never throws over random bytes, and always yields a wrapper decodeMessage reads as an Error", async () => {
    for (let i = 0; i < 300; i++) {
      const n = i < 50 ? i : node.random(2)[0] * 16 + node.random(1)[0];
      let bytes = node.random(n);
      // Half the time, start like a SEQUENCE so the header parse is actually attempted.
      if (i % 2 === 0 && n > 2) bytes = Uint8Array.of(0x30, n - 2, ...bytes.subarray(2));
      const out = await errorMessage(p, new SetError("decodingFailure", "x"), bytes);
      const w = decodeMessage(out);
      expect(w.message.type).toBe("error");
      expect(isErrorMessage(out)).toBe(true);
    }
    // Bit flips of a real wrapper, where the header often still decodes.
    for (let i = 0; i < offending.length; i += 13) {
      const out = await errorMessage(p, new SetError("decodingFailure", "x"), flip(offending, i));
      expect(decodeMessage(out).message.type).toBe("error");
    }
  });

  it("signs with the sender's signature certificate when given one", async () => {
    const signer = { certificate: pki.merchantSig.certificate, privateKey: pki.merchantSig.privateKey };
    const w = decodeMessage(
      await errorMessage(p, new SetError("challengeMismatch", "x"), offending, { signer }),
    );
    const e = errorOf(w);
    expect(e.type).toBe("signedError");
    await expect(readError(p, e)).resolves.toEqual({ code: "challengeMismatch", signed: true });
  });

  it("goes out unsigned when the signer cannot sign", async () => {
    const signer = { certificate: pki.gatewayKex.certificate, privateKey: pki.gatewayKex.privateKey };
    const e = errorOf(
      decodeMessage(await errorMessage(p, new SetError("unknownRRPID", "x"), offending, { signer })),
    );
    expect(e.type).toBe("unsignedError");
  });

  it("reports the code of a signed Error whose signature does not verify, flagged unsigned", async () => {
    const signer = { certificate: pki.merchantSig.certificate, privateKey: pki.merchantSig.privateKey };
    const e = errorOf(
      decodeMessage(await errorMessage(p, new SetError("unknownRRPID", "x"), offending, { signer })),
    );
    if (e.type !== "signedError") throw new Error("expected signed");
    const broken = { type: "signedError" as const, value: flip(e.value, -1) };
    await expect(readError(p, broken)).resolves.toEqual({ code: "unknownRRPID", signed: false });
  });

  it("refuses a signed Error whose content is no ErrorTBS", async () => {
    const m = await messageFixture(p, pki);
    const pRes = await signPRes(p, m.signer("merchantSig"), m.pResData);
    const e = await readError(p, { type: "signedError", value: pRes }).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(SetError);
    expect((e as SetError).code).toBe("decodingFailure");
  });

  it("isErrorMessage tells Errors from other messages and from noise, without throwing", async () => {
    const err = await errorMessage(p, new SetError("decodingFailure", "x"), offending);
    expect(isErrorMessage(err)).toBe(true);
    expect(isErrorMessage(offending)).toBe(false);
    expect(isErrorMessage(new Uint8Array(0))).toBe(false);
    expect(isErrorMessage(Uint8Array.of(0x30, 0x80))).toBe(false);
    expect(isErrorMessage(node.random(64))).toBe(false);
    // An Error in a wrapper decodeMessage refuses (version 2) still looks like one.
    const w = decodeMessage(err);
    const v2 = encodeMessage({ ...w, messageHeader: { ...w.messageHeader, version: 2 } });
    expect(() => decodeMessage(v2)).toThrow(SetError);
    expect(isErrorMessage(v2)).toBe(true);
    // The shape is what counts: the same Error under another Message tag is not one.
    const retagged = new Uint8Array(err);
    const at = parseOne(err, "wrapper").children[1].children[0].start; // [999]: bf 87 67
    expect([err[at + 1], err[at + 2]]).toEqual([0x87, 0x67]);
    retagged[at + 2] = 0x66; // [998]
    expect(isErrorMessage(retagged)).toBe(false);
    // Only the headers on the way are read: damage inside the Error's body leaves the shape an
    // Error's (its receiver refuses the body), and the bytes are not copied or changed.
    const damaged = new Uint8Array(err);
    damaged[damaged.length - 1] ^= 0xff;
    const before = new Uint8Array(damaged);
    expect(isErrorMessage(damaged)).toBe(true);
    expect(damaged).toEqual(before);
    // Damage to a header on the way is not that shape.
    const badLength = new Uint8Array(err);
    badLength[at + 3] = 0x80; // the [999] value's length made indefinite
    expect(isErrorMessage(badLength)).toBe(false);
    expect(isErrorMessage(Uint8Array.from([...err, 0x00]))).toBe(false);
  });

  it("RemoteSetError is a SetError carrying the peer's code", () => {
    const e = new RemoteSetError("unknownXID", undefined, "2.23.42.1.1", true);
    expect(e).toBeInstanceOf(SetError);
    expect(e.code).toBe("unknownXID");
    expect(e.oid).toBe("2.23.42.1.1");
    expect(e.signed).toBe(true);
    expect(e.name).toBe("RemoteSetError");
  });

  it("the ErrorTBS under a signed Error decodes strictly", async () => {
    const signer = { certificate: pki.merchantSig.certificate, privateKey: pki.merchantSig.privateKey };
    const e = errorOf(
      decodeMessage(await errorMessage(p, new SetError("unknownLID", "x"), offending, { signer })),
    );
    if (e.type !== "signedError") throw new Error("expected signed");
    const { verifyS } = await import("../crypto/signedMessage");
    const { ContentType } = await import("../schema/oids");
    const v = await verifyS(p, e.value, { contentType: ContentType.ErrorTBS });
    expect(decodeDer(ErrorTBS, v.content).errorCode).toBe("unknownLID");
  });
});
