import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { createDeferredLogger, deferredLogger } from "./deferredLogger";
import { captureLog as capture } from "./logCapture.test-helper";
import { createLogger, type Logger } from "./logger";

/** A deferred logger over `createLogger` that counts how often it was made. */
function counted(level: string) {
  const out = capture();
  let made = 0;
  const logger = deferredLogger(() => {
    made++;
    return createLogger("mediator", { level, destination: out.destination });
  }, level);
  return { logger, out, made: () => made };
}

const PAN = "4111110000000005";

describe("deferredLogger", () => {
  it("makes no logger for calls below its level, nor to read its level or ask what is enabled", () => {
    const { logger, out, made } = counted("warn");
    logger.trace("t");
    logger.debug({ pan: PAN }, "d");
    logger.info({ xid: "ab" }, "purchase ended");
    expect(logger.level).toBe("warn");
    expect(logger.isLevelEnabled("info")).toBe(false);
    expect(logger.isLevelEnabled("warn")).toBe(true);
    expect(logger.isLevelEnabled("fatal")).toBe(true);
    expect(made()).toBe(0);
    expect(out.lines).toEqual([]);
  });

  it("makes the logger once, on the first call at its level, and writes what createLogger writes", () => {
    const { logger, out, made } = counted("warn");
    logger.info("not written");
    logger.warn({ reason: `card ${PAN}` }, "bond not kept");
    logger.error({ pan: PAN }, "second");
    expect(made()).toBe(1);
    const [first, second] = out.records();
    expect(out.lines).toHaveLength(2);
    expect(first).toMatchObject({
      party: "mediator",
      level: 40,
      msg: "bond not kept",
      reason: "card 411111******0005",
    });
    expect(second).toMatchObject({ level: 50, msg: "second", pan: "[redacted]" });
  });

  it("defers a child too: made from the parent when the child first writes, with its bindings scrubbed", () => {
    const { logger, out, made } = counted("warn");
    const child = logger.child({ session: 7, pan: PAN });
    child.info("quiet");
    expect(made()).toBe(0);
    child.warn("loud");
    expect(made()).toBe(1);
    expect(out.records()).toEqual([expect.objectContaining({ session: 7, pan: "[redacted]", msg: "loud" })]);
    // The parent made for the child is the parent's own: it is not made again.
    logger.warn("parent");
    expect(made()).toBe(1);
    expect(out.lines).toHaveLength(2);
  });

  it("a child given its own level is made at once, with that level", () => {
    const { logger, out, made } = counted("warn");
    const child = logger.child({ part: "x" }, { level: "info" });
    expect(made()).toBe(1);
    child.info("written at info");
    expect(out.records()).toEqual([expect.objectContaining({ part: "x", msg: "written at info" })]);
  });

  it("hands anything else to the logger it makes, and takes assignments there", () => {
    const { logger, out, made } = counted("warn");
    expect(typeof logger.flush).toBe("function");
    expect(made()).toBe(1);
    logger.level = "info";
    expect(logger.level).toBe("info");
    logger.info("now written");
    expect(out.records()).toEqual([expect.objectContaining({ level: 30, msg: "now written" })]);
  });

  it("a child keeps the level its parent had when it was asked for, as a pino child does", () => {
    const { logger, out } = counted("warn");
    const child = logger.child({ part: "early" });
    logger.level = "info";
    child.warn("made now");
    child.info("below the child's level");
    logger.info("the parent's new level");
    expect(out.records().map((r) => r.msg)).toEqual(["made now", "the parent's new level"]);
  });

  it("names that are not levels are the made logger's, even those every object has", () => {
    const { logger, made } = counted("warn");
    expect(typeof logger.toString).toBe("function");
    expect(made()).toBe(1);
  });

  it("at level silent writes nothing and makes nothing", () => {
    const { logger, out, made } = counted("silent");
    logger.fatal("x");
    logger.error("y");
    expect(logger.isLevelEnabled("fatal")).toBe(false);
    expect(made()).toBe(0);
    expect(out.lines).toEqual([]);
  });

  it("refuses an unknown level when it is created, as createLogger does", () => {
    const refusal = /level:verbose must be included/;
    expect(() => createLogger("mediator", { level: "verbose" })).toThrow(refusal);
    expect(() => createDeferredLogger("mediator", { level: "verbose" })).toThrow(refusal);
  });

  it("createDeferredLogger takes SETLAB_LOG_LEVEL when no level is given", () => {
    const saved = process.env.SETLAB_LOG_LEVEL;
    process.env.SETLAB_LOG_LEVEL = "error";
    try {
      const out = capture();
      const logger: Logger = createDeferredLogger("mediator", { destination: out.destination });
      expect(logger.level).toBe("error");
      logger.warn("not written");
      logger.error("written");
      expect(out.records()).toEqual([expect.objectContaining({ level: 50, msg: "written" })]);
    } finally {
      if (saved === undefined) delete process.env.SETLAB_LOG_LEVEL;
      else process.env.SETLAB_LOG_LEVEL = saved;
    }
  });

  it("the built client entry loads no pino until a deferred logger writes", () => {
    const client = path.resolve(__dirname, "../dist/client.js");
    const script = `
      const client = require(${JSON.stringify(client)});
      const loaded = () => Object.keys(require.cache).some((f) => f.includes("/pino/"));
      const log = client.createDeferredLogger("mediator", { level: "warn" });
      log.info("quiet");
      const before = loaded();
      log.warn("loud");
      console.log(JSON.stringify({ before, after: loaded() }));`;
    const out = execFileSync(process.execPath, ["-e", script], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    expect(JSON.parse(out)).toEqual({ before: false, after: true });
  });
});
