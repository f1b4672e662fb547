import { decodeDer, encodeDer } from "../asn1/codec";
import { SetError } from "../errors";
import type { TransIDs } from "./common";
import { checkHeader, checkWrapperIds, MessageHeader, protectedIdsOf } from "./header";

const id = (byte: number, length = 20) => new Uint8Array(length).fill(byte);

const header = (over: Partial<MessageHeader> = {}): MessageHeader => ({
  version: 1,
  revision: 0,
  date: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
  messageIDs: { lid_C: id(1, 8), lid_M: id(2, 8), xid: id(3) },
  rrpid: id(4),
  swIdent: "SET Lab 0.1",
  ...over,
});

const transIDs: TransIDs = {
  lid_C: id(1, 8),
  lid_M: id(2, 8),
  xid: id(3),
  pReqDate: new Date(Date.UTC(2026, 0, 2)),
  language: "en",
};

function codeOf(f: () => void): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof SetError) return e.code;
    throw e;
  }
  return undefined;
}

describe("checkHeader", () => {
  it("accepts SET 1.0 (version 1, revision 0)", () => {
    expect(codeOf(() => checkHeader(header()))).toBeUndefined();
  });

  it.each([
    ["the 1996 draft's version 0", { version: 0 }, "versionTooOld"],
    ["version 2", { version: 2 }, "versionTooNew"],
    ["revision 1", { revision: 1 }, "versionTooNew"],
  ] as const)("answers %s with %s", (_why, over, code) => {
    expect(codeOf(() => checkHeader(header(over)))).toBe(code);
  });

  it("decodes another version instead of failing the decode, so checkHeader can judge it", () => {
    const der = encodeDer(MessageHeader, header({ version: 7, revision: 3 }));
    const decoded = decodeDer(MessageHeader, der);
    expect(decoded.version).toBe(7);
    expect(codeOf(() => checkHeader(decoded))).toBe("versionTooNew");
  });

  it("omits the default revision 0 from the DER", () => {
    const withRevision = encodeDer(MessageHeader, header());
    const { revision: _omitted, ...rest } = header();
    expect(encodeDer(MessageHeader, { ...rest, revision: 0 })).toEqual(withRevision);
    // SEQUENCE, then version 1 directly followed by the date: no revision INTEGER between them.
    expect(Array.from(withRevision.subarray(2, 7))).toEqual([0x02, 0x01, 0x01, 0x18, 0x0f]);
  });
});

describe("checkWrapperIds", () => {
  const body = protectedIdsOf(transIDs, id(4));

  it("accepts a header whose identifiers all equal the body's", () => {
    expect(codeOf(() => checkWrapperIds(header(), body))).toBeUndefined();
  });

  it("accepts a header that states fewer identifiers than the body holds", () => {
    expect(
      codeOf(() => checkWrapperIds(header({ messageIDs: undefined, rrpid: undefined }), body)),
    ).toBeUndefined();
  });

  it.each([
    ["rrpid", header({ rrpid: id(9) })],
    ["lid-C", header({ messageIDs: { lid_C: id(9, 8), lid_M: id(2, 8), xid: id(3) } })],
    ["lid-M", header({ messageIDs: { lid_C: id(1, 8), lid_M: id(9, 8), xid: id(3) } })],
    ["xid", header({ messageIDs: { lid_C: id(1, 8), lid_M: id(2, 8), xid: id(9) } })],
  ])("refuses a header whose %s differs from the body's", (_field, h) => {
    expect(codeOf(() => checkWrapperIds(h, body))).toBe("wrapperMsgMismatch");
  });

  it("refuses a header that states an identifier the body does not carry", () => {
    const noLidM = protectedIdsOf({ ...transIDs, lid_M: undefined }, id(4));
    expect(codeOf(() => checkWrapperIds(header(), noLidM))).toBe("wrapperMsgMismatch");
    expect(codeOf(() => checkWrapperIds(header(), protectedIdsOf(transIDs)))).toBe("wrapperMsgMismatch");
  });
});
