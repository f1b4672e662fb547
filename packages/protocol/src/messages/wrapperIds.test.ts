import { SetError } from "../errors";
import type { TransIDs } from "../schema/common";
import type { MessageHeader } from "../schema/header";
import { checkWrapperIds, protectedIdsOf } from "./wrapperIds";

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
