/**
 * The receive functions: what each adds around the body checks (header against body, RRPID,
 * replay cache, header date, carried certificates, errorThumb, an Error in place of the answer).
 * Every test breaks one thing and names the code it must get.
 */
import { decodeDer, encodeDer } from "../asn1/codec";
import { bytesEqual, concatBytes } from "../asn1/tlv";
import { sha256, sha256Hex } from "../cert/digest";
import { parseSetCertificate } from "../cert/setCertificate";
import { nodeProvider } from "../crypto/provider";
import type { Signer } from "../crypto/signedMessage";
import { SetError } from "../errors";
import { buildPReqDualSigned } from "../purchase/cardholder";
import { verifyPReqAsMerchant } from "../purchase/merchant";
import { BrandCRLIdentifier, type CertificateRole } from "../schema/certExtensions";
import type { DetachedDigest } from "../schema/common";
import { AuthReqData } from "../schema/payment";
import type { PInitReq as PInitReqBody } from "../schema/purchase";
import { PI, PReq } from "../schema/purchase";
import { createTestParty, createTestPki, type TestPki } from "../testing/pki";
import { revocationFixture } from "../testing/revocation";
import type { AnsweredRequests } from "./answeredRequests";
import { sealAuthReq } from "./authReq";
import { sealAuthRes } from "./authRes";
import { errorMessage, RemoteSetError } from "./errorMessage";
import { type MessageFixture, messageFixture, rejection } from "./fixture.test-helper";
import { fingerprintOf, readMessage } from "./incoming";
import { signPInitRes } from "./pInit";
import { signPRes } from "./pRes";
import { receiveAuthReq } from "./receiveAuthReq";
import { receiveAuthRes } from "./receiveAuthRes";
import { receiveError } from "./receiveError";
import { receivePInitReq } from "./receivePInitReq";
import { receivePInitRes } from "./receivePInitRes";
import { receivePReq } from "./receivePReq";
import { receivePRes } from "./receivePRes";
import { withCrls } from "./signedDataCrls";
import { type WrapperIds, wrapMessage } from "./wrapper";

const p = nodeProvider();
const minute = 60_000;

let pki: TestPki;
let m: MessageFixture;

beforeAll(async () => {
  pki = await createTestPki(p);
  m = await messageFixture(p, pki);
});

const idsOf = (
  t: { lid_C: Uint8Array; lid_M?: Uint8Array; xid: Uint8Array },
  rrpid: Uint8Array,
): WrapperIds => ({
  rrpid,
  lid_C: t.lid_C,
  ...(t.lid_M ? { lid_M: t.lid_M } : {}),
  xid: t.xid,
});
const other = new Uint8Array(20).fill(0xee);
const code = async (promise: Promise<unknown>) => (await rejection(promise)).code;
const thumbOf = (der: Uint8Array) => sha256(parseSetCertificate(der).tbs);
const answered = (map: Record<string, string>): AnsweredRequests => ({
  fingerprintOf: (rrpid) => map[Buffer.from(rrpid).toString("hex")],
});
const hexOf = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("receivePInitReq", () => {
  const req = (): PInitReqBody => ({
    rrpid: m.pInitResData.rrpid,
    language: "en",
    localID_C: m.pInitResData.transIDs.lid_C,
    localID_M: m.pInitResData.transIDs.lid_M,
    chall_C: m.pInitResData.chall_C,
    brandID: "Visa",
    bin: "411111",
  });
  const wrap = (
    ids: WrapperIds = { rrpid: req().rrpid, lid_C: req().localID_C },
    date = new Date(),
    value = req(),
  ) => wrapMessage({ type: "purchaseInitRequest", value }, ids, { date });

  it("takes a fresh PInitReq", async () => {
    const r = await receivePInitReq(p, wrap(), { now: new Date() });
    expect(r.repeat).toBe(false);
    expect(r.req.brandID).toBe("Visa");
  });

  it("refuses a header RRPID other than the body's (wrapperMsgMismatch)", async () => {
    expect(await code(receivePInitReq(p, wrap({ rrpid: other }), { now: new Date() }))).toBe(
      "wrapperMsgMismatch",
    );
  });

  it("refuses a header dated beyond the skew either way", async () => {
    const now = new Date();
    const old = wrap(undefined, new Date(now.getTime() - 20 * minute));
    expect(await code(receivePInitReq(p, old, { now }))).toBe("messageTooOld");
    const ahead = wrap(undefined, new Date(now.getTime() + 20 * minute));
    expect(await code(receivePInitReq(p, ahead, { now }))).toBe("messageTooNew");
    await expect(receivePInitReq(p, old, { now, maxClockSkewMs: 30 * minute })).resolves.toBeDefined();
  });

  it("a retry of a PInitReq already taken is a repeat whatever its date; other bytes with its RRPID are unknownRRPID", async () => {
    const old = wrap(undefined, new Date(Date.now() - 2 * 60 * minute));
    const fingerprint = (await receivePInitReq(p, old, { now: new Date(), maxClockSkewMs: 3 * 60 * minute }))
      .fingerprint;
    const cache = answered({ [hexOf(req().rrpid)]: fingerprint });
    const again = await receivePInitReq(p, old, { now: new Date(), answered: cache });
    expect(again.repeat).toBe(true);
    const changed = wrap(undefined, new Date(), { ...req(), brandID: "MasterCard" });
    expect(await code(receivePInitReq(p, changed, { now: new Date(), answered: cache }))).toBe(
      "unknownRRPID",
    );
  });

  it("refuses a critical extension it does not understand", async () => {
    const ext = { extnID: "1.3.6.1.4.1.32473.1.96", critical: true, extnValue: Uint8Array.of(5, 0) };
    const msg = wrap(undefined, new Date(), { ...req(), piRqExtensions: [ext] });
    expect(await code(receivePInitReq(p, msg, { now: new Date() }))).toBe("unrecognizedExtension");
    await expect(
      receivePInitReq(p, msg, { now: new Date(), understoodExtensions: [ext.extnID] }),
    ).resolves.toBeDefined();
  });

  it("refuses another message type (messageNotSupported), and reads an already read message without decoding again", async () => {
    const pRes = await signPRes(p, m.signer("merchantSig"), m.pResData);
    const msg = wrapMessage({ type: "purchaseResponse", value: pRes }, {}, { date: new Date() });
    expect(await code(receivePInitReq(p, msg, { now: new Date() }))).toBe("messageNotSupported");
    const read = readMessage(wrap());
    await expect(receivePInitReq(p, read, { now: new Date() })).resolves.toMatchObject({ repeat: false });
  });
});

describe("receivePInitRes", () => {
  const expected = () => ({
    rrpid: m.pInitResData.rrpid,
    chall_C: m.pInitResData.chall_C,
    lid_C: m.pInitResData.transIDs.lid_C,
    lid_M: m.pInitResData.transIDs.lid_M,
    brandID: "Visa",
  });
  const gateway = () => ({
    certificate: pki.gatewayKex.certificate,
    chain: pki.intermediatesOf("gatewayKex"),
  });
  const wrap = async (ids?: WrapperIds, data = m.pInitResData) =>
    wrapMessage(
      {
        type: "purchaseInitResponse",
        value: await signPInitRes(p, m.signer("merchantSig"), data, gateway()),
      },
      ids ?? idsOf(data.transIDs, data.rrpid),
      { date: new Date() },
    );

  it("takes the merchant's PInitRes and gives merchantData", async () => {
    const r = await receivePInitRes(p, await wrap(), expected(), { trust: m.trust });
    expect(r.merchantData.merID).toBe(r.merchant.merchantData?.merID);
  });

  it("refuses a BrandCRLIdentifier older than the card's remembered one (invalidCertificate), and gives the sequenceNum it accepted", async () => {
    const withBci = async (sequenceNum: number) =>
      wrapMessage(
        {
          type: "purchaseInitResponse",
          value: await signPInitRes(p, m.signer("merchantSig"), m.pInitResData, {
            ...gateway(),
            revocation: await revocationFixture(p, pki, { sequenceNum }),
          }),
        },
        idsOf(m.pInitResData.transIDs, m.pInitResData.rrpid),
        { date: new Date() },
      );
    const receiver = { trust: m.trust, requireRevocation: true };
    const r = await receivePInitRes(p, await withBci(3), { ...expected(), bciSequenceNum: 2 }, receiver);
    expect(r.bciSequenceNum).toBe(3);
    const e = await rejection(
      receivePInitRes(p, await withBci(2), { ...expected(), bciSequenceNum: 3 }, receiver),
    );
    expect(e.code).toBe("invalidCertificate");
    expect(e.where).toBe("PInitResData.brandCRLIdentifier");
  });

  it("refuses an RRPID other than PInitReq's (unknownRRPID)", async () => {
    const data = { ...m.pInitResData, rrpid: other };
    expect(await code(receivePInitRes(p, await wrap(undefined, data), expected(), { trust: m.trust }))).toBe(
      "unknownRRPID",
    );
  });

  it("refuses another LID-M than the order's (unknownLID)", async () => {
    const e = { ...expected(), lid_M: Uint8Array.of(1, 2) };
    expect(await code(receivePInitRes(p, await wrap(), e, { trust: m.trust }))).toBe("unknownLID");
  });

  it("refuses a header XID other than PInitResData's (wrapperMsgMismatch)", async () => {
    const ids = { ...idsOf(m.pInitResData.transIDs, m.pInitResData.rrpid), xid: other };
    expect(await code(receivePInitRes(p, await wrap(ids), expected(), { trust: m.trust }))).toBe(
      "wrapperMsgMismatch",
    );
  });

  it("refuses a merchant certificate without merchantData, and names it", async () => {
    const bare = await createTestPki(p, {
      serialSeed: 610,
      overrides: { merchantSig: { merchantData: null } },
    });
    const b = await messageFixture(p, bare);
    const signed = await signPInitRes(p, b.signer("merchantSig"), b.pInitResData, {
      certificate: bare.gatewayKex.certificate,
      chain: bare.intermediatesOf("gatewayKex"),
    });
    const msg = wrapMessage({ type: "purchaseInitResponse", value: signed }, {}, { date: new Date() });
    const e = await rejection(
      receivePInitRes(
        p,
        msg,
        {
          rrpid: b.pInitResData.rrpid,
          chall_C: b.pInitResData.chall_C,
          lid_C: b.pInitResData.transIDs.lid_C,
          brandID: "Visa",
        },
        { trust: b.trust },
      ),
    );
    expect(e.code).toBe("invalidCertificate");
    expect(e.thumb).toEqual(thumbOf(bare.merchantSig.certificate));
  });

  it("an Error in place of PInitRes is the merchant's answer: RemoteSetError with its code", async () => {
    const err = await errorMessage(p, new SetError("unknownLID", "no such order"), await wrap());
    const e = await rejection(receivePInitRes(p, err, expected(), { trust: m.trust }));
    expect(e).toBeInstanceOf(RemoteSetError);
    expect(e.code).toBe("unknownLID");
  });
});

describe("receivePRes", () => {
  const expected = () => ({
    rrpid: m.pResData.rrpid,
    xid: m.pResData.transIDs.xid,
    chall_C: m.pResData.chall_C,
    lid_C: m.pResData.transIDs.lid_C,
    merchantCertificate: pki.merchantSig.certificate,
  });
  const wrapSigned = (pRes: Uint8Array, ids = idsOf(m.pResData.transIDs, m.pResData.rrpid)) =>
    wrapMessage({ type: "purchaseResponse", value: pRes }, ids, { date: new Date() });

  it("takes the merchant's PRes", async () => {
    const pRes = await signPRes(p, m.signer("merchantSig"), m.pResData);
    await expect(receivePRes(p, wrapSigned(pRes), expected(), { trust: m.trust })).resolves.toEqual(
      m.pResData,
    );
  });

  it("refuses an RRPID other than the PReq's (unknownRRPID)", async () => {
    const pRes = await signPRes(p, m.signer("merchantSig"), { ...m.pResData, rrpid: other });
    const msg = wrapSigned(pRes, idsOf(m.pResData.transIDs, other));
    expect(await code(receivePRes(p, msg, expected(), { trust: m.trust }))).toBe("unknownRRPID");
  });

  it("refuses a header LID-C other than PResData's (wrapperMsgMismatch)", async () => {
    const pRes = await signPRes(p, m.signer("merchantSig"), m.pResData);
    const ids = { ...idsOf(m.pResData.transIDs, m.pResData.rrpid), lid_C: Uint8Array.of(7) };
    expect(await code(receivePRes(p, wrapSigned(pRes, ids), expected(), { trust: m.trust }))).toBe(
      "wrapperMsgMismatch",
    );
  });

  it("refuses a PRes carrying a copy of the merchant certificate with a flipped byte in its issuer name, and names that copy", async () => {
    const pRes = await signPRes(p, m.signer("merchantSig"), m.pResData);
    const cert = pki.merchantSig.certificate;
    const issuer = parseSetCertificate(cert).issuerDer;
    const at = Buffer.from(pRes).indexOf(Buffer.from(cert)) + Buffer.from(cert).indexOf(Buffer.from(issuer));
    const damaged = new Uint8Array(pRes);
    // The issuer name's last character, 'A' <-> 'C': the copy still parses, names another issuer.
    damaged[at + issuer.length - 1] ^= 0x02;
    const copy = damaged.slice(
      Buffer.from(pRes).indexOf(Buffer.from(cert)),
      Buffer.from(pRes).indexOf(Buffer.from(cert)) + cert.length,
    );
    expect(bytesEqual(copy, cert)).toBe(false);
    const e = await rejection(receivePRes(p, wrapSigned(damaged), expected(), { trust: m.trust }));
    expect(e.code).toBe("invalidCertificate");
    expect(e.thumb).toEqual(thumbOf(copy));
  });

  it("names the signer's certificate when the signature does not verify", async () => {
    const pRes = await signPRes(p, m.signer("merchantSig"), m.pResData);
    const bad = new Uint8Array(pRes);
    bad[bad.length - 1] ^= 1;
    const e = await rejection(receivePRes(p, wrapSigned(bad), expected(), { trust: m.trust }));
    expect(e.code).toBe("signatureFailure");
    expect(e.thumb).toEqual(thumbOf(pki.merchantSig.certificate));
  });

  it("refuses a PRes whose BrandCRLIdentifier is older than the card's remembered one (invalidCertificate); takes the same one or a newer one", async () => {
    const withBci = async (sequenceNum: number) => {
      const r = await revocationFixture(p, pki, { sequenceNum });
      const data = { ...m.pResData, brandCRLIdentifier: decodeDer(BrandCRLIdentifier, r.bci) };
      return wrapSigned(withCrls(await signPRes(p, m.signer("merchantSig"), data), r.crls));
    };
    const remembering = (bciSequenceNum: number) => ({ ...expected(), brandID: "Visa", bciSequenceNum });
    const e = await rejection(receivePRes(p, await withBci(2), remembering(3), { trust: m.trust }));
    expect(e.code).toBe("invalidCertificate");
    expect(e.where).toBe("PResData.brandCRLIdentifier");
    expect(e.message).toContain("superseded");
    for (const sequenceNum of [3, 4])
      expect(
        (await receivePRes(p, await withBci(sequenceNum), remembering(3), { trust: m.trust }))
          .brandCRLIdentifier,
      ).toBeDefined();
  });

  it("an Error in place of PRes is RemoteSetError", async () => {
    const err = await errorMessage(p, new SetError("signatureFailure", "x"), Uint8Array.of(1), {
      signer: m.signer("merchantSig"),
    });
    const e = await rejection(receivePRes(p, err, expected(), { trust: m.trust }));
    expect(e).toBeInstanceOf(RemoteSetError);
    expect((e as RemoteSetError).signed).toBe(true);
  });
});

describe("receivePReq", () => {
  let pReqDer: Uint8Array;
  const wrap = (date = new Date(), ids?: WrapperIds) => {
    const oi = m.f.input.oiData;
    return wrapMessage(
      { type: "purchaseRequest", value: decodePReq() },
      ids ?? idsOf(oi.transIDs, oi.rrpid),
      { date },
    );
  };
  const decodePReq = () => ({ type: "pReqDualSigned" as const, value: built });
  let built: Awaited<ReturnType<typeof buildPReqDualSigned>>["pReq"];
  const order = () => ({ ...m.f.order, chall_C: m.f.input.oiData.chall_C });

  beforeAll(async () => {
    built = (await buildPReqDualSigned(p, m.f.input)).pReq;
    pReqDer = encodeDer(PReq, decodePReq());
  });

  it("takes a fresh PReq", async () => {
    const r = await receivePReq(p, wrap(), order(), { trust: m.trust, now: new Date() });
    expect(r.repeat).toBe(false);
    expect(pReqDer.length).toBeGreaterThan(0);
  });

  it("refuses a header RRPID other than OIData's (wrapperMsgMismatch)", async () => {
    const ids = { ...idsOf(m.f.input.oiData.transIDs, other) };
    expect(
      await code(receivePReq(p, wrap(new Date(), ids), order(), { trust: m.trust, now: new Date() })),
    ).toBe("wrapperMsgMismatch");
  });

  it("refuses another Chall-C than PInitReq's (challengeMismatch)", async () => {
    const o = { ...order(), chall_C: other };
    expect(await code(receivePReq(p, wrap(), o, { trust: m.trust, now: new Date() }))).toBe(
      "challengeMismatch",
    );
  });

  it("refuses an old header date, but takes a retry of a PReq already taken at any age", async () => {
    const msg = wrap(new Date(Date.now() - 60 * minute));
    expect(await code(receivePReq(p, msg, order(), { trust: m.trust, now: new Date() }))).toBe(
      "messageTooOld",
    );
    const fingerprint = fingerprintOf(msg);
    const cache = answered({ [hexOf(m.f.input.oiData.rrpid)]: fingerprint });
    const again = await receivePReq(p, msg, order(), { trust: m.trust, now: new Date(), answered: cache });
    expect(again.repeat).toBe(true);
    const conflicting = answered({ [hexOf(m.f.input.oiData.rrpid)]: "other" });
    expect(
      await code(receivePReq(p, wrap(), order(), { trust: m.trust, now: new Date(), answered: conflicting })),
    ).toBe("unknownRRPID");
  });

  it("refuses a PI signature carrying a certificate off the cardholder's path, and names it", async () => {
    const input = {
      ...m.f.input,
      cardholder: {
        ...m.f.input.cardholder,
        chain: [...(m.f.input.cardholder.chain ?? []), pki.gatewayCa.certificate],
      },
    };
    const b = (await buildPReqDualSigned(p, input)).pReq;
    const oi = m.f.input.oiData;
    const msg = wrapMessage(
      { type: "purchaseRequest", value: { type: "pReqDualSigned", value: b } },
      idsOf(oi.transIDs, oi.rrpid),
      {
        date: new Date(),
      },
    );
    const e = await rejection(receivePReq(p, msg, order(), { trust: m.trust, now: new Date() }));
    expect(e.code).toBe("invalidCertificate");
    expect(e.thumb).toEqual(thumbOf(pki.gatewayCa.certificate));
  });
});

describe("receiveAuthRes", () => {
  const expected = () => ({
    authRRPID: m.authResData.authTags.authRRTags.rrpid,
    transIDs: m.authResData.authTags.transIDs,
    authReqAmt: m.f.order.purchAmt,
    brand: "Visa",
    gateway: pki.gatewayKex.certificate,
  });
  const receiver = () => ({ decrypter: m.decrypter("merchantKex"), trust: m.trust });
  const wrap = async (data = m.authResData, ids?: WrapperIds, signer: Signer = m.signer("gatewaySig")) => {
    const authRes = await sealAuthRes(p, signer, pki.merchantKex.certificate, data, {});
    const tags = data.authTags;
    return wrapMessage(
      { type: "authorizationResponse", value: authRes },
      ids ?? idsOf(tags.transIDs, tags.authRRTags.rrpid),
      {
        date: new Date(),
      },
    );
  };

  it("takes an approval for the amount asked", async () => {
    expect((await receiveAuthRes(p, await wrap(), expected(), receiver())).verdict).toBe("approved");
  });

  it("an approval above the amount asked is overAmount; another AuthCode is declined", async () => {
    const over = {
      ...expected(),
      authReqAmt: { ...expected().authReqAmt, amount: expected().authReqAmt.amount - 1 },
    };
    expect((await receiveAuthRes(p, await wrap(), over, receiver())).verdict).toBe("overAmount");
    const header = m.authResData.authResPayload.authHeader;
    const declined = {
      ...m.authResData,
      authResPayload: { authHeader: { ...header, authCode: "declined" as const } },
    };
    expect((await receiveAuthRes(p, await wrap(declined), expected(), receiver())).verdict).toBe("declined");
  });

  it("an approval for less than asked is partial, an approval of 0 is declined, another exponent is overAmount", async () => {
    const header = m.authResData.authResPayload.authHeader;
    const asked = expected().authReqAmt;
    const approving = (authAmt: typeof asked) => ({
      ...m.authResData,
      authResPayload: { authHeader: { ...header, authCode: "approved" as const, authAmt } },
    });
    const verdictFor = async (authAmt: typeof asked) =>
      (await receiveAuthRes(p, await wrap(approving(authAmt)), expected(), receiver())).verdict;
    expect(await verdictFor(asked)).toBe("approved");
    expect(await verdictFor({ ...asked, amount: asked.amount - 1 })).toBe("partial");
    expect(await verdictFor({ ...asked, amount: 1 })).toBe("partial");
    expect(await verdictFor({ ...asked, amount: 0 })).toBe("declined");
    expect(await verdictFor({ ...asked, amtExp10: asked.amtExp10 - 1 })).toBe("overAmount");
  });

  it("refuses another AuthRRPID (unknownRRPID) and TransIDs that differ beyond the XID", async () => {
    expect(await code(receiveAuthRes(p, await wrap(), { ...expected(), authRRPID: other }, receiver()))).toBe(
      "unknownRRPID",
    );
    const t = expected().transIDs;
    expect(
      await code(
        receiveAuthRes(p, await wrap(), { ...expected(), transIDs: { ...t, xid: other } }, receiver()),
      ),
    ).toBe("unknownXID");
    expect(
      await code(
        receiveAuthRes(p, await wrap(), { ...expected(), transIDs: { ...t, language: "ja" } }, receiver()),
      ),
    ).toBe("wrapperMsgMismatch");
  });

  it("refuses a header XID other than AuthTags' (wrapperMsgMismatch)", async () => {
    const tags = m.authResData.authTags;
    const ids = { ...idsOf(tags.transIDs, tags.authRRTags.rrpid), xid: other };
    expect(await code(receiveAuthRes(p, await wrap(m.authResData, ids), expected(), receiver()))).toBe(
      "wrapperMsgMismatch",
    );
  });

  it("refuses an approval signed by another gateway of the brand, or by a namesake under another gateway CA, and names the signer", async () => {
    const visa = (name: string, use: "signature" | "ca", roles: CertificateRole[]) => ({
      name,
      roles,
      use,
      brand: "Visa",
    });
    const accomplice = await createTestParty(
      pki.gatewayCa,
      visa("Visa Accomplice Gateway", "signature", ["pgwy"]),
    );
    const otherCa = await createTestParty(pki.brandCa, visa("Visa Payment Gateway CA", "ca", ["pca"]));
    const namesake = await createTestParty(otherCa, visa("Visa Payment Gateway", "signature", ["pgwy"]));
    const chain = pki.intermediatesOf("gatewaySig");
    for (const [party, intermediates] of [
      [accomplice, chain],
      [namesake, [otherCa.certificate, ...chain.slice(1)]],
    ] as const) {
      const signer = { certificate: party.certificate, privateKey: party.privateKey, chain: intermediates };
      const e = await rejection(
        receiveAuthRes(p, await wrap(m.authResData, undefined, signer), expected(), receiver()),
      );
      expect(e.code).toBe("invalidCertificate");
      expect(e.thumb).toEqual(thumbOf(party.certificate));
    }
  });

  it("an Error in place of AuthRes is RemoteSetError", async () => {
    const err = await errorMessage(p, new SetError("messageTooOld", "x"), await wrap());
    expect(await rejection(receiveAuthRes(p, err, expected(), receiver()))).toBeInstanceOf(RemoteSetError);
  });
});

describe("receiveAuthReq", () => {
  let ctxDigests: { hOIData: DetachedDigest; hOD2: DetachedDigest };

  beforeAll(async () => {
    const v = await verifyPReqAsMerchant(
      p,
      { type: "pReqDualSigned", value: (await buildPReqDualSigned(p, m.f.input)).pReq },
      m.f.order,
      m.trust,
    );
    ctxDigests = { hOIData: v.hOIData, hOD2: v.hod };
  });

  const receiver = () => ({
    brand: "Visa",
    gatewayKex: m.decrypter("gatewayKex"),
    trust: m.trust,
    now: new Date(),
    cardCertRequired: true,
    hardenedRequired: false,
    enrolledMerIDs: ["SETLAB-MER-0001"],
  });
  const authReqData = (over: (d: typeof m.authReqData) => typeof m.authReqData = (d) => d) =>
    over({
      ...m.authReqData,
      authReqItem: { ...m.authReqData.authReqItem, checkDigests: ctxDigests },
    });
  type AuthTags = (typeof m.authReqData)["authReqItem"]["authTags"];
  const withAuthTags = (change: (t: AuthTags) => AuthTags) =>
    authReqData((d) => ({
      ...d,
      authReqItem: { ...d.authReqItem, authTags: change(d.authReqItem.authTags) },
    }));
  const wrap = async (data = authReqData(), date = new Date(), ids?: WrapperIds) => {
    const authReq = await sealAuthReq(p, m.authSigner(), pki.gatewayKex.certificate, data, m.piDer);
    const tags = data.authReqItem.authTags;
    return wrapMessage(
      { type: "authorizationRequest", value: authReq },
      ids ?? idsOf(tags.transIDs, tags.authRRTags.rrpid),
      {
        date,
      },
    );
  };

  it("takes a good AuthReq up to the account check: the test PKI's cardholder certificate is bound to no PAN, so piAuthMismatch", async () => {
    const r = await receiveAuthReq(p, await wrap(), receiver());
    if (r.repeat) throw new Error("not new");
    expect(r.outcome).toMatchObject({ kind: "refused", authCode: "piAuthMismatch" });
    expect(bytesEqual(r.merchantKex.der, pki.merchantKex.certificate)).toBe(true);
    expect(r.merID).toBe(r.merchant.merchantData?.merID);
  });

  it("refuses a merchant the acquirer has not enrolled for the brand (invalidCertificate naming its signature certificate)", async () => {
    for (const enrolledMerIDs of [[], ["SETLAB-MER-0002"]]) {
      const e = await rejection(receiveAuthReq(p, await wrap(), { ...receiver(), enrolledMerIDs }));
      expect(e.code).toBe("invalidCertificate");
      expect(e.message).toContain("not enrolled");
      expect(e.thumb).toEqual(thumbOf(pki.merchantSig.certificate));
    }
  });

  it("a PIHead naming another merchant is the refusal merchantMismatch, not an Error", async () => {
    const withOther = await messageFixture(p, pki, 3);
    const input = {
      ...withOther.f.input,
      piHead: { ...withOther.f.input.piHead, merchantID: "SETLAB-MER-0002" },
    };
    const built = await buildPReqDualSigned(p, input);
    const v = await verifyPReqAsMerchant(
      p,
      { type: "pReqDualSigned", value: built.pReq },
      withOther.f.order,
      m.trust,
    );
    const data = {
      ...withOther.authReqData,
      authReqItem: {
        ...withOther.authReqData.authReqItem,
        checkDigests: { hOIData: v.hOIData, hOD2: v.hod },
      },
    };
    const piDer = encodeDer(PI, { type: "piDualSigned", value: built.pReq.piDualSigned });
    const authReq = await sealAuthReq(p, m.authSigner(), pki.gatewayKex.certificate, data, piDer);
    const tags = data.authReqItem.authTags;
    const msg = wrapMessage(
      { type: "authorizationRequest", value: authReq },
      idsOf(tags.transIDs, tags.authRRTags.rrpid),
      {
        date: new Date(),
      },
    );
    const r = await receiveAuthReq(p, msg, receiver());
    expect(!r.repeat && r.outcome.kind === "refused" && r.outcome.authCode).toBe("merchantMismatch");
  });

  it("AuthRRTags naming another merchant is merchantMismatch too", async () => {
    const data = withAuthTags((t) => ({
      ...t,
      authRRTags: { ...t.authRRTags, merTermIDs: { merchantID: "SETLAB-MER-0009" } },
    }));
    const r = await receiveAuthReq(p, await wrap(data), receiver());
    expect(!r.repeat && r.outcome.kind === "refused" && r.outcome.authCode).toBe("merchantMismatch");
  });

  it("refuses AuthTags TransIDs differing from PIHead's beyond the XID (a LID-C)", async () => {
    const data = withAuthTags((t) => ({ ...t, transIDs: { ...t.transIDs, lid_C: Uint8Array.of(4) } }));
    expect(await code(receiveAuthReq(p, await wrap(data), receiver()))).toBe("unknownLID");
  });

  it("refuses an old AuthReq, but a retry of one taken is a repeat at any age; a reuse of its AuthRRPID is unknownRRPID", async () => {
    const old = await wrap(authReqData(), new Date(Date.now() - 60 * minute));
    expect(await code(receiveAuthReq(p, old, receiver()))).toBe("messageTooOld");
    const data = authReqData();
    const fingerprint = sha256Hex(concatBytes([encodeDer(AuthReqData, data), m.piDer]));
    const rrpid = data.authReqItem.authTags.authRRTags.rrpid;
    const cache = answered({ [hexOf(rrpid)]: fingerprint });
    expect((await receiveAuthReq(p, old, { ...receiver(), answered: cache })).repeat).toBe(true);
    const conflicting = answered({ [hexOf(rrpid)]: "0".repeat(64) });
    expect(await code(receiveAuthReq(p, await wrap(), { ...receiver(), answered: conflicting }))).toBe(
      "unknownRRPID",
    );
  });

  it("refuses a header AuthRRPID other than AuthTags' (wrapperMsgMismatch)", async () => {
    const tags = m.authReqData.authReqItem.authTags;
    const ids = { ...idsOf(tags.transIDs, tags.authRRTags.rrpid), rrpid: other };
    expect(await code(receiveAuthReq(p, await wrap(authReqData(), new Date(), ids), receiver()))).toBe(
      "wrapperMsgMismatch",
    );
  });
});

describe("receiveError and errorThumb", () => {
  const merchantSigners = () => ({ trust: m.trust, roles: ["mer"] as ["mer"] });

  it("an Error answering a certificate failure names the certificate, and the receiver reads it back", async () => {
    const thumb = thumbOf(pki.merchantSig.certificate);
    const failure = new SetError("revokedCertificate", "revoked", "certificate", undefined, thumb);
    const err = await errorMessage(p, failure, Uint8Array.of(1, 2, 3));
    const r = await receiveError(p, err, merchantSigners());
    expect(r.code).toBe("revokedCertificate");
    expect(r.thumb).toEqual(thumb);
  });

  it("an Error without a certificate to name carries no errorThumb", async () => {
    const r = await receiveError(
      p,
      await errorMessage(p, new SetError("decodingFailure", "x"), Uint8Array.of(1)),
      merchantSigners(),
    );
    expect(r.thumb).toBeUndefined();
  });

  it("another message type is not an Error (messageNotSupported)", async () => {
    const pRes = await signPRes(p, m.signer("merchantSig"), m.pResData);
    const msg = wrapMessage({ type: "purchaseResponse", value: pRes }, {}, { date: new Date() });
    expect(await code(receiveError(p, msg, merchantSigners()))).toBe("messageNotSupported");
  });
});
