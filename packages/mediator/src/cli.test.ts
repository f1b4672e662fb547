/** Mistakes in the call: exit 2 and one line on stderr, before any connection is made. */
import { main, summary } from "./cli";

async function call(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

const base = [
  "purchase",
  "--initiation",
  "/nonexistent/initiation.json",
  "--phone",
  "127.0.0.1:9",
  "--card",
  "c",
];

describe("set-mediator arguments", () => {
  test("help prints the usage and exits 0", async () => {
    const r = await call(["help"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage: set-mediator purchase --initiation URL\|FILE --phone HOST:PORT --card ID/);
  });

  test.each([
    [[], /missing command/],
    [["pay"], /unknown command "pay"/],
    [["purchase", "--phone", "h:1", "--card", "c"], /--initiation is required/],
    [["purchase", "--initiation", "x", "--card", "c"], /--phone is required/],
    [["purchase", "--initiation", "x", "--phone", "h:1"], /--card is required/],
    [[...base, "--color"], /Unknown option '--color'/],
    [[...base, "extra"], /Unexpected argument 'extra'|positional/i],
    [[...base.slice(0, 4), "localhost", "--card", "c"], /phone address "localhost" is not HOST:PORT/],
    [[...base, "--timeout", "0"], /--timeout must be milliseconds/],
    [[...base, "--timeout", "soon"], /--timeout must be milliseconds/],
    [base, /cannot read initiation file \/nonexistent\/initiation.json: ENOENT/],
  ])("%j is refused with one line, exit 2", async (argv, pattern) => {
    const r = await call(argv as string[]);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toMatch(/^set-mediator: [^\n]*\n$/);
    expect(r.err).toMatch(pattern);
  });
});

describe("summary", () => {
  test("outcome, facts and steps, sizes only", () => {
    const text = summary({
      outcome: "approved",
      xid: "ab".repeat(20),
      brand: "Visa",
      completionCode: "authorizationPerformed",
      amount: { currency: 392, amount: 12800, amtExp10: 0 },
      steps: [{ step: "S32", from: "card", to: "mediator", message: "PInitReq", bytes: 188 }],
    });
    expect(text).toBe(
      [
        "approved",
        `  XID             ${"ab".repeat(20)}`,
        "  brand           Visa",
        "  completion code authorizationPerformed",
        "  amount          12800 (currency 392)",
        "  S32      card -> mediator: PInitReq (188 B)",
        "",
      ].join("\n"),
    );
    expect(summary({ outcome: "refused", reason: "wrong PIN: 2 tries left", steps: [] })).toBe(
      "refused: wrong PIN: 2 tries left\n",
    );
  });
});
