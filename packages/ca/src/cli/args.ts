/**
 * Argument parsing over node:util parseArgs, turning its errors into a UsageError that names the
 * command, so that a bad flag reads as one line and exits 2.
 */
import { parseArgs } from "node:util";
import { firstLine, UsageError } from "@setlab/runtime";

export type OptionSpec = Record<string, { type: "string" | "boolean"; short?: string }>;

export interface Parsed {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: readonly string[];
}

export function parse(
  command: string,
  args: readonly string[],
  options: OptionSpec,
  positionals: { min: number; max: number },
): Parsed {
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (e) {
    throw new UsageError(`${command}: ${firstLine((e as Error).message)}`);
  }
  const n = parsed.positionals.length;
  if (n < positionals.min) throw new UsageError(`${command}: missing argument`);
  if (n > positionals.max)
    throw new UsageError(`${command}: unexpected argument "${parsed.positionals[n - 1]}"`);
  return parsed;
}

/** A required string option. */
export function required(parsed: Parsed, command: string, name: string): string {
  const v = parsed.values[name];
  if (typeof v !== "string" || v === "") throw new UsageError(`${command}: --${name} is required`);
  return v;
}

export function optionalString(parsed: Parsed, name: string): string | undefined {
  const v = parsed.values[name];
  return typeof v === "string" ? v : undefined;
}

/** A non-negative integer option within [min, max]. */
export function integerOption(
  parsed: Parsed,
  command: string,
  name: string,
  range: { min: number; max: number; fallback?: number },
): number {
  const v = parsed.values[name];
  if (v === undefined) {
    if (range.fallback !== undefined) return range.fallback;
    throw new UsageError(`${command}: --${name} is required`);
  }
  if (typeof v !== "string" || !/^\d+$/.test(v) || Number(v) < range.min || Number(v) > range.max)
    throw new UsageError(`${command}: --${name} must be an integer from ${range.min} to ${range.max}`);
  return Number(v);
}
