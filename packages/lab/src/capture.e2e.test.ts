/**
 * Capture across real processes: a purchase made by the mediator, then `set-lab capture` through
 * the merchant's admin route, the merchant's CapReq to the running gateway and its CapRes back.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fetchMessages } from "./capture";
import { captureOrder } from "./commands/captureOrder";
import { down } from "./commands/down";
import { purchase } from "./commands/purchase";
import { up } from "./commands/up";
import { purchAmtOf } from "./currency";
import { adminOf, LabFailure, type LabState } from "./labState";

let home: string;
let state: LabState;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-capture-e2e-"));
  state = await up({ home });
}, 120_000);

afterAll(async () => {
  if (state) await down(home).catch(() => {});
  fs.rmSync(home, { recursive: true, force: true });
});

const jpy = (amount: string) => purchAmtOf(amount, "JPY");

describe("capture across the running lab", () => {
  it("captures one order in full and one in part; a second capture is refused before any CapReq", async () => {
    const a = await purchase({ home, card: "visa-approve", purchAmt: jpy("1500") });
    const b = await purchase({ home, card: "mc-approve", purchAmt: jpy("2000") });
    expect([a.order.state, b.order.state]).toEqual(["authorized", "authorized"]);

    const full = await captureOrder(home, String(a.orderId));
    expect(full.state).toBe("captured");
    expect(full.authorization?.capture).toMatchObject({ capCode: "success", capAmt: { amount: 1500 } });
    const part = await captureOrder(home, String(b.orderId), "500");
    expect(part.state).toBe("partiallyCaptured");
    expect(part.authorization?.capture?.capAmt).toMatchObject({ amount: 500, amtExp10: 0 });

    await expect(captureOrder(home, String(a.orderId))).rejects.toThrow(LabFailure);
    const types = (await fetchMessages(adminOf(state, "merchant"), String(a.orderId))).map((m) => m.type);
    expect(types.slice(-2)).toEqual(["CapReq", "CapRes"]);
    expect(types.filter((t) => t === "CapReq")).toHaveLength(1);
  }, 120_000);
});
