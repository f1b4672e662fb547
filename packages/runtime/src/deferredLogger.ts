/**
 * A logger made on its first line: for the short-lived programs on the buyer's PC (the mediator,
 * its native host, `set-lab purchase`), which log at `warn` and write nothing in a purchase that
 * goes well. Until a call at an enabled level (or anything else a pino logger has) reaches it, no
 * pino logger exists and pino's modules are not loaded: about 20-35 ms of a start measured on the
 * lab machine (docs/performance.md). The servers log every request and use `createLogger`.
 *
 * What it writes, once made, is `createLogger`'s: the same redaction, fields and destination.
 */
import { createLogger, type Logger, type LoggerOptions } from "./logger";

/** pino's levels and their numbers; a call below the logger's number writes nothing. */
const levelNumbers: ReadonlyMap<string, number> = new Map([
  ["trace", 10],
  ["debug", 20],
  ["info", 30],
  ["warn", 40],
  ["error", 50],
  ["fatal", 60],
  ["silent", Number.POSITIVE_INFINITY],
]);

const nothing = () => {};

/** `createLogger(party, options)`, made when first needed. An unknown level throws now, as there. */
export function createDeferredLogger(party: string, options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.SETLAB_LOG_LEVEL ?? "info";
  if (!levelNumbers.has(level)) return createLogger(party, options);
  return deferredLogger(() => createLogger(party, { ...options, level }), level);
}

/**
 * The logger `make()` returns, made on the first call at a level at or above `level`, or the first
 * use of anything other than `level`, `isLevelEnabled` and `child` (whose children are deferred
 * alike until they are used). From then on every use goes to it.
 */
export function deferredLogger(make: () => Logger, level: string): Logger {
  const threshold = levelNumbers.get(level) ?? 0;
  let made: Logger | undefined;
  const real = () => {
    made ??= make();
    return made;
  };
  const enabled = (name: string) =>
    threshold !== Number.POSITIVE_INFINITY && (levelNumbers.get(name) ?? -1) >= threshold;
  const handler: ProxyHandler<Logger> = {
    get(_target, property) {
      if (made === undefined && typeof property === "string") {
        if (property === "level") return level;
        if (property === "isLevelEnabled") return enabled;
        if (property === "child")
          return (bindings: Parameters<Logger["child"]>[0], options?: Parameters<Logger["child"]>[1]) =>
            options?.level === undefined
              ? // Made later, but at the level the parent had now, as pino's child would be. pino
                // types a child by its custom levels; these loggers have none.
                deferredLogger(
                  () => real().child(bindings, { ...options, level }) as unknown as Logger,
                  level,
                )
              : real().child(bindings, options);
        if (levelNumbers.has(property) && !enabled(property)) return nothing;
      }
      const target = real();
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
    set(_target, property, value) {
      return Reflect.set(real(), property, value);
    },
    has(_target, property) {
      return Reflect.has(real(), property);
    },
  };
  return new Proxy({} as Logger, handler);
}
