import { decodeMessage } from "../schema/message";
import { wrapMessage } from "./wrapper";

/** A SignedMessage-shaped value (ContentInfo of signedData); the wrapper does not look inside. */
const pInitRes = Uint8Array.from([
  0x30, 0x0f, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x02, 0x30, 0x00,
]);
const ids = {
  rrpid: new Uint8Array(20).fill(1),
  lid_C: Uint8Array.of(1, 2, 3),
  lid_M: new TextEncoder().encode("order-7"),
  xid: new Uint8Array(20).fill(2),
};

describe("wrapMessage", () => {
  it("writes a SET 1.0 header with the ids, a whole-second date and the default SWIdent", () => {
    const date = new Date(Date.UTC(2026, 10, 25, 12, 0, 0, 789));
    const w = decodeMessage(wrapMessage({ type: "purchaseInitResponse", value: pInitRes }, ids, { date }));
    expect(w.messageHeader).toEqual({
      version: 1,
      revision: 0,
      date: new Date(Date.UTC(2026, 10, 25, 12, 0, 0)),
      messageIDs: { lid_C: ids.lid_C, lid_M: ids.lid_M, xid: ids.xid },
      rrpid: ids.rrpid,
      swIdent: "SETLab/0.1",
    });
    expect(w.message).toEqual({ type: "purchaseInitResponse", value: pInitRes });
  });

  it("leaves MessageIDs and RRPID out when none is given, and takes the caller's SWIdent", () => {
    const date = new Date(Date.UTC(2026, 0, 1));
    const w = decodeMessage(
      wrapMessage({ type: "purchaseResponse", value: pInitRes }, {}, { date, swIdent: "Shop/2" }),
    );
    expect(w.messageHeader.messageIDs).toBeUndefined();
    expect(w.messageHeader.rrpid).toBeUndefined();
    expect(w.messageHeader.swIdent).toBe("Shop/2");
  });

  it("writes only the MessageIDs it is given", () => {
    const w = decodeMessage(
      wrapMessage({ type: "purchaseResponse", value: pInitRes }, { xid: ids.xid }, { date: new Date(0) }),
    );
    expect(w.messageHeader.messageIDs).toEqual({ xid: ids.xid });
  });

  it("refuses ids SET cannot carry (an RRPID is 20 bytes)", () => {
    expect(() =>
      wrapMessage(
        { type: "purchaseResponse", value: pInitRes },
        { rrpid: Uint8Array.of(1) },
        { date: new Date(0) },
      ),
    ).toThrow();
  });
});
