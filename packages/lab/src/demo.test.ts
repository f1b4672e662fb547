import { runDemo } from "./demo";
import { consoleTrace } from "./trace";

describe("demo", () => {
  it("runs the dual-signed purchase request end to end and never prints the PAN", async () => {
    const lines: string[] = [];
    await runDemo(consoleTrace((l) => lines.push(l)));
    const out = lines.join("\n");
    expect(out).toContain("[gateway] open EX");
    expect(out).toContain("PAN in merchant data   absent");
    expect(out).toContain("refused                amountMismatch");
    expect(out).not.toMatch(/\d{12,19}/);
  });
});
