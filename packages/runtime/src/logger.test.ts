import { captureLog as capture } from "./logCapture.test-helper";
import { createLogger, hasPanLengthDigitRun, maskDigits, scrub } from "./logger";

const PAN = "4111110000000005";
const PAN2 = "5555550000000002";

describe("logger", () => {
  it("masks PAN-length digit runs and keeps shorter numbers", () => {
    expect(maskDigits("card 4111110000000005 paid 12800")).toBe("card 411111******0005 paid 12800");
    expect(maskDigits("pan=5555550000000002;")).toBe("pan=555555******0002;");
    expect(maskDigits("123456789012")).toBe("123456**9012");
    expect(maskDigits("x1234567890123456789y")).toBe("x123456*********6789y");
  });

  it("leaves digit runs inside hex identifiers alone", () => {
    const xid = "ab123456789012345cd0";
    expect(maskDigits(`xid ${xid}`)).toBe(`xid ${xid}`);
  });

  it("pre-scans for a run of 12 digits exactly as the regex \\d{12} would, wherever it sits", () => {
    // Deterministic pseudo-random strings of digits and a few other characters, every length.
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const alphabet = "0123456789012345678901234567890123456789a -";
    for (let n = 0; n < 4000; n++) {
      const len = next() % 60;
      let s = "";
      for (let i = 0; i < len; i++) s += alphabet[next() % alphabet.length];
      expect(hasPanLengthDigitRun(s)).toBe(/\d{12}/.test(s));
    }
    for (let at = 0; at < 30; at++) {
      const s = `${"x".repeat(at)}123456789012${"y".repeat(at % 7)}`;
      expect(hasPanLengthDigitRun(s)).toBe(true);
      expect(hasPanLengthDigitRun(s.replace("9", "z"))).toBe(false);
    }
    expect(hasPanLengthDigitRun("12345678901")).toBe(false);
    expect(hasPanLengthDigitRun("")).toBe(false);
    // Other scripts' digits are not \d: the masking regex ignores them, so does the scan.
    expect(hasPanLengthDigitRun("١٢٣٤٥٦٧٨٩٠١٢")).toBe(false);
  });

  it("redacts secret fields by name and masks PANs inside any string, nested or in the message", () => {
    const { destination, text } = capture();
    const log = createLogger("test", { level: "info", destination });
    log.info(
      { pan: PAN, nested: { note: `pan=${PAN2}`, pin: "1234" }, xid: "ab12" },
      "declined 4111110000000013",
    );
    const out = text();
    for (const pan of [PAN, PAN2, "4111110000000013"]) expect(out).not.toContain(pan);
    expect(out).not.toContain('"1234"');
    expect(out).toContain('"pan":"[redacted]"');
    expect(out).toContain("411111******0013");
    expect(out).toContain('"xid":"ab12"');
  });

  it("masks a PAN nested deep in arrays and objects", () => {
    const { destination, text } = capture();
    const log = createLogger("test", { level: "info", destination });
    log.info({ a: [[{ b: { c: { d: { e: { f: { g: [{ h: `pan ${PAN}` }] } } } } } }]] }, "deep");
    expect(text()).not.toContain(PAN);
    expect(text()).toContain("411111******0005");
  });

  it("redacts a secret key at any depth, whatever its case, and cuts what is too deep to walk", () => {
    let deep: Record<string, unknown> = { panSecret: "c0ffee", PAN: "0000" };
    for (let i = 0; i < 6; i++) deep = { level: [deep] };
    let tooDeep: unknown = { cardSecret: "beef", note: PAN };
    for (let i = 0; i < 40; i++) tooDeep = { next: tooDeep };
    const { destination, text } = capture();
    createLogger("test", { level: "info", destination }).info({ deep, tooDeep }, "secrets");
    const out = text();
    expect(out).not.toContain("c0ffee");
    expect(out).not.toContain('"0000"');
    expect(out).not.toContain("beef");
    expect(out).not.toContain(PAN);
    expect(out).toContain('"panSecret":"[redacted]"');
    expect(out).toContain('"PAN":"[redacted]"');
    expect(out).toContain("[too deep]");
  });

  it("masks an Error's message, logged alone, under err or nested, and keeps its SET ErrorCode", () => {
    const { destination, text } = capture();
    const log = createLogger("test", { level: "info", destination });
    log.error(new Error(`card ${PAN} declined`));
    const coded = Object.assign(new Error(`bad ${PAN2}`), { code: "signatureFailure" });
    log.error({ err: coded }, "refused");
    log.warn({ list: [new RangeError(`x ${PAN}`)] }, "nested");
    const out = text();
    expect(out).not.toContain(PAN);
    expect(out).not.toContain(PAN2);
    const [alone, underErr, nested] = text()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(alone.msg).toBe("card 411111******0005 declined");
    expect(alone.err).toMatchObject({ type: "Error", message: "card 411111******0005 declined" });
    expect(underErr.err).toMatchObject({ type: "Error", code: "signatureFailure" });
    expect(nested.list[0]).toMatchObject({ type: "RangeError", message: "x 411111******0005" });
  });

  it("masks format arguments, child bindings and values met through toJSON", () => {
    const { destination, text } = capture();
    const log = createLogger("test", { level: "info", destination });
    log.info("fmt %s %j", PAN, { note: PAN2 });
    log.child({ pan: "x", note: PAN2 }).info("child");
    log
      .child({ reqId: "r1" })
      .child({ inner: `n ${PAN2}` })
      .info("grandchild");
    log.info({ at: { toJSON: () => `when ${PAN}` } }, "toJSON");
    const out = text();
    expect(out).not.toContain(PAN);
    expect(out).not.toContain(PAN2);
    expect(out).toContain('"pan":"[redacted]"');
  });

  it("prints a cycle as [Circular] and keeps the masking inside it", () => {
    const a: Record<string, unknown> = { note: PAN };
    a.self = a;
    const { destination, text } = capture();
    createLogger("test", { level: "info", destination }).info({ a }, "cycle");
    expect(text()).not.toContain(PAN);
    expect(JSON.parse(text()).a.self).toBe("[Circular]");
  });

  it("reduces fastify's request and reply to method, url and status code", () => {
    const { destination, text } = capture();
    const req = { method: "POST", url: `/orders?pan=${PAN}`, headers: { cookie: "s" }, raw: {} };
    createLogger("test", { level: "info", destination }).error({ req, res: { statusCode: 500, x: 1 } }, "x");
    const line = JSON.parse(text());
    expect(line.req).toEqual({ method: "POST", url: "/orders?pan=411111******0005" });
    expect(line.res).toEqual({ statusCode: 500 });
  });

  it("hands back the very object when there is nothing to redact, and copies when there is", () => {
    const clean = { xid: "ab".repeat(20), n: 3, list: ["a", { b: "c" }], bytes: new Uint8Array(16) };
    expect(scrub(clean)).toBe(clean);
    const dirty = { keep: { x: 1 }, list: ["a", `p ${PAN}`] };
    const out = scrub(dirty) as typeof dirty;
    expect(out).not.toBe(dirty);
    expect(out.keep).toBe(dirty.keep);
    expect(out.list[1]).toBe("p 411111******0005");
    expect(dirty.list[1]).toBe(`p ${PAN}`);
  });

  it("a value that throws while being read loses its fields, not the line, and never throws", () => {
    const { destination, text } = capture();
    const hostile = {
      get boom(): string {
        throw new Error("no");
      },
    };
    const log = createLogger("test", { level: "info", destination });
    expect(() => log.warn({ hostile }, `refused ${PAN}`)).not.toThrow();
    const line = JSON.parse(text());
    expect(line).toMatchObject({ unloggable: true, msg: "refused 411111******0005" });
  });

  it("stays quiet at level silent", () => {
    const { lines, destination } = capture();
    createLogger("test", { level: "silent", destination }).error("nothing");
    expect(lines).toHaveLength(0);
  });
});
