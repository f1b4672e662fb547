import { decodeDer, encodeDer } from "../asn1/codec";
import { SetError } from "../errors";
import { checkHeader, MessageHeader } from "./header";

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
