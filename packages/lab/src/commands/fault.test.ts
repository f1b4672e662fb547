import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LabFailure } from "../labState";
import { clearFaults, parseFaultCommand, setFaults } from "./fault";

const refused = (args: string[], message: RegExp) => {
  expect(() => parseFaultCommand(args)).toThrow(LabFailure);
  expect(() => parseFaultCommand(args)).toThrow(message);
};

describe("set-lab fault arguments", () => {
  it("builds the gateway plan from every switch", () => {
    expect(
      parseFaultCommand([
        "gateway",
        "--delay",
        "6000",
        "--stage",
        "received",
        "--delay-rate",
        "0.5",
        "--drop",
        "0.1",
        "--5xx",
        "0.2",
        "--malformed",
        "0.05",
        "--bad-signature",
        "1",
        "--clock-skew",
        "-600",
      ]),
    ).toEqual({
      party: "gateway",
      action: "set",
      plan: {
        delayMs: 6000,
        stage: "received",
        delayRate: 0.5,
        dropRate: 0.1,
        http5xxRate: 0.2,
        malformedRate: 0.05,
        badSignatureRate: 1,
        clockSkewSeconds: -600,
      },
    });
  });

  it("builds the merchant plan, --clear, and show", () => {
    expect(parseFaultCommand(["merchant", "--pause-after-authres", "3000"])).toEqual({
      party: "merchant",
      action: "set",
      plan: { pauseAfterAuthResMs: 3000 },
    });
    expect(parseFaultCommand(["merchant", "--pause-before-send", "20000"])).toEqual({
      party: "merchant",
      action: "set",
      plan: { pauseBeforeSendMs: 20000 },
    });
    expect(
      Object.keys(
        (
          parseFaultCommand(["merchant", "--pause-before-send", "1", "--pause-after-authres", "2"]) as {
            plan: object;
          }
        ).plan,
      ),
    ).toEqual(["pauseBeforeSendMs", "pauseAfterAuthResMs"]);
    expect(parseFaultCommand(["gateway", "--clear"])).toEqual({ party: "gateway", action: "clear" });
    expect(parseFaultCommand(["merchant"])).toEqual({ party: "merchant", action: "show" });
  });

  it("refuses bad numbers, unknown parties and switches, and mixed --clear", () => {
    refused([], /fault needs a party/);
    refused(["--clear"], /fault needs a party/);
    refused(["phone", "--clear"], /unknown party "phone"/);
    refused(["gateway", "--delay", "soon"], /--delay takes a whole number/);
    refused(["gateway", "--delay", "-5"], /--delay takes a whole number/);
    refused(["gateway", "--drop", "1.5"], /--drop takes a probability/);
    refused(["gateway", "--5xx", "abc"], /--5xx takes a probability/);
    refused(["gateway", "--clock-skew", "1.5"], /--clock-skew takes a whole number/);
    refused(["gateway", "--stage", "received"], /need --delay/);
    refused(["gateway", "--delay", "10", "--stage", "later"], /--stage is received or committed/);
    refused(["gateway", "--pause-after-authres", "10"], /Unknown option/);
    refused(["merchant", "--drop", "0.1"], /Unknown option/);
    refused(["gateway", "--pause-before-send", "10"], /Unknown option/);
    refused(["merchant", "--pause-before-send", "soon"], /--pause-before-send takes a whole number/);
    refused(["gateway", "--clear", "--drop", "0.1"], /--clear takes no other switch/);
  });

  it("setFaults and clearFaults refuse when no lab runs there, or for another party", async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-fault-"));
    try {
      await expect(setFaults(home, "gateway", { dropRate: 1 })).rejects.toThrow(/no lab is running/);
      await expect(clearFaults(home, "merchant")).rejects.toThrow(/no lab is running/);
      await expect(clearFaults(home, "phone" as "merchant")).rejects.toThrow(/unknown party "phone"/);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
