import {
  concatBytes,
  context,
  defaultProvider,
  encodeDer,
  errorMessage,
  SetError,
  schema,
  tlv,
  universal,
  wrapMessage,
} from "@setlab/protocol";
import { PurchaseStop } from "./cardAnswers";
import { messageName, readMerchantAnswer } from "./merchantAnswer";

const date = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));

describe("readMerchantAnswer", () => {
  test("a SET Error: its type, code and the header's XID", async () => {
    const xid = new Uint8Array(20).fill(0xab);
    const offending = wrapMessage(
      {
        type: "error",
        value: {
          type: "unsignedError",
          value: {
            errorCode: "unknownXID",
            errorNonce: new Uint8Array(20),
            errorMsg: { type: "badWrapper", value: Uint8Array.of(1) },
          },
        },
      },
      { xid },
      { date, swIdent: "test" },
    );
    const bytes = await errorMessage(defaultProvider, new SetError("signatureFailure", "x"), offending);
    const answer = await readMerchantAnswer(bytes, "PReq");
    expect(answer).toEqual({ type: "error", xid: "ab".repeat(20), error: "signatureFailure" });
    expect(messageName(answer.type)).toBe("Error");
  });

  test("bytes that are not a SET message stop the purchase as failed", async () => {
    for (const junk of [Uint8Array.of(), Uint8Array.of(0x30, 0x00), new Uint8Array(Buffer.from("<html>"))]) {
      const e = await readMerchantAnswer(junk, "PInitReq").catch((x) => x);
      expect(e).toBeInstanceOf(PurchaseStop);
      expect((e as PurchaseStop).kind).toBe("failed");
      expect((e as PurchaseStop).message).toMatch(
        /answered PInitReq with something that is not a SET message/,
      );
    }
  });

  test("the body is the card's to decode: a malformed PInitRes is relayed by its type, a malformed Error is unreadable", async () => {
    const header: schema.MessageHeader = {
      version: 1,
      revision: 0,
      date,
      messageIDs: { xid: new Uint8Array(20).fill(0xcd) },
      rrpid: new Uint8Array(20),
      swIdent: "test",
    };
    const wrapped = (alternative: number) =>
      tlv(
        universal(16),
        true,
        concatBytes([
          encodeDer(schema.MessageHeader, header),
          tlv(context(0), true, tlv(context(alternative), true, Uint8Array.of(0x05, 0x00))),
        ]),
      );
    expect(await readMerchantAnswer(wrapped(1), "PInitReq")).toEqual({
      type: "purchaseInitResponse",
      xid: "cd".repeat(20),
      error: undefined,
    });
    expect((await readMerchantAnswer(wrapped(999), "PReq")).error).toBe("an unreadable SET Error");
    const unknown = await readMerchantAnswer(wrapped(40), "PReq").catch((x) => x);
    expect((unknown as PurchaseStop).message).toMatch(/not a SET message \(messageNotSupported\)/);
  });
});
