import { defaultProvider, errorMessage, SetError } from "@setlab/protocol";
import { gatewayMessage } from "./gatewayMessage";

describe("gatewayMessage", () => {
  test("nothing came back: nothing to record", () => {
    expect(gatewayMessage(undefined)).toEqual([]);
  });

  test("a SET message is recorded with its type", async () => {
    const error = await errorMessage(
      defaultProvider,
      new SetError("unknownXID", "x"),
      new Uint8Array([1, 2, 3]),
    );
    expect(gatewayMessage(error)).toEqual([{ from: "gateway", to: "merchant", type: "error", der: error }]);
  });

  test("bytes that do not decode are kept as unreadable, for the record", () => {
    const junk = new Uint8Array([0x30, 0x03, 0x01]);
    expect(gatewayMessage(junk)).toEqual([
      { from: "gateway", to: "merchant", type: "unreadable", der: junk },
    ]);
  });
});
