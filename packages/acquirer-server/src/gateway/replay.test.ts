import { SetError } from "@setlab/protocol";
import type { AuthorizationRow } from "../store/gatewayStore";
import { replayOf } from "./replay";

const stored = {
  requestHash: "ab".repeat(32),
  response: new Uint8Array([0x30, 0x00]),
  authCode: "approved",
} as AuthorizationRow;
const unknownRRPID = expect.objectContaining({ constructor: SetError, code: "unknownRRPID" });

describe("replayOf", () => {
  test("the same request again gets the stored bytes and AuthCode", () => {
    expect(replayOf(stored, stored.requestHash)).toEqual({
      response: stored.response,
      kind: "replay",
      authCode: "approved",
      reason: "repeated AuthReq",
    });
  });

  test("other content under the AuthRRPID is refused: unknownRRPID", () => {
    expect(() => replayOf(stored, "cd".repeat(32))).toThrow(unknownRRPID);
  });

  test("a repeat whose record is gone is refused: unknownRRPID", () => {
    expect(() => replayOf(undefined, stored.requestHash)).toThrow(unknownRRPID);
  });

  test("the matcher tells codes apart", () => {
    expect(() => {
      throw new SetError("unknownXID", "x");
    }).not.toThrow(unknownRRPID);
  });
});
