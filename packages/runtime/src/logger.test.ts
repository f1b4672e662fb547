import { Writable } from "node:stream";
import { createLogger, maskDigits } from "./logger";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, destination };
}

describe("logger", () => {
  it("masks PAN-length digit runs and keeps shorter numbers", () => {
    expect(maskDigits("card 4111110000000005 paid 12800")).toBe("card 411111******0005 paid 12800");
    expect(maskDigits("pan=5555550000000002;")).toBe("pan=555555******0002;");
  });

  it("leaves digit runs inside hex identifiers alone", () => {
    const xid = "ab123456789012345cd0";
    expect(maskDigits(`xid ${xid}`)).toBe(`xid ${xid}`);
  });

  it("redacts secret fields by name and masks PANs inside any string, nested or in the message", () => {
    const { lines, destination } = capture();
    const log = createLogger("test", { level: "info", destination });
    log.info(
      { pan: "4111110000000005", nested: { note: "pan=5555550000000002", pin: "1234" }, xid: "ab12" },
      "declined 4111110000000013",
    );
    const out = lines.join("");
    for (const pan of ["4111110000000005", "5555550000000002", "4111110000000013"])
      expect(out).not.toContain(pan);
    expect(out).not.toContain('"1234"');
    expect(out).toContain('"pan":"[redacted]"');
    expect(out).toContain("411111******0013");
    expect(out).toContain('"xid":"ab12"');
  });

  it("stays quiet at level silent", () => {
    const { lines, destination } = capture();
    createLogger("test", { level: "silent", destination }).error("nothing");
    expect(lines).toHaveLength(0);
  });
});
