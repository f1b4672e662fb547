/**
 * How long the gateway takes to refuse a PI damaged at each layer of its envelope. The refusal is
 * one ErrorCode and one text whatever failed (threat model P11), but the time it takes can still
 * say which layer failed: an attacker who times the gateway's answers to damaged PIs would learn
 * whether the RSA block, the symmetric padding, the inner structure or the dual signature broke.
 * This measures each path beside the valid one, so the differences are a figure the bench prints.
 * The paths take turns, a short batch each, round after round for the whole time: on a machine
 * that other work shares, measuring one path after another would compare the load of one moment
 * with the load of the next.
 */
import type { Trust } from "../cert/trust";
import type { CryptoProvider } from "../crypto/provider";
import { SetError } from "../errors";
import { type AuthorizationContext, openPIDualSigned } from "../purchase/gateway";
import type { PIDualSigned } from "../schema/purchase";
import { damagedPI } from "../testing/damagedPI";
import type { Rate } from "./measure";

export interface FailureTiming {
  /** Which layer was damaged ("none" for the valid PI). */
  readonly layer: string;
  readonly rate: Rate;
  /** What the gateway's PI check answered. */
  readonly outcome: string;
}

/** Runs of each path per turn: long enough to time, short enough that the turns interleave finely. */
const batch = 20;

export async function measureFailureTiming(
  p: CryptoProvider,
  pi: PIDualSigned,
  ctx: AuthorizationContext,
  trust: Trust,
  seconds: number,
): Promise<FailureTiming[]> {
  const variants: [string, PIDualSigned][] = [
    ["none (valid PI)", pi],
    ["RSA block (OAEP)", damagedPI(pi, "rsaBlock")],
    ["symmetric padding (last ciphertext byte)", damagedPI(pi, "lastCipherByte")],
    ["inner structure (first ciphertext byte)", damagedPI(pi, "firstCipherByte")],
    ["dual signature (last signature byte)", damagedPI(pi, "signature")],
  ];
  const paths = variants.map(([layer, variant]) => ({
    layer,
    variant,
    outcome: "",
    runs: 0,
    wall: 0,
    cpu: 0,
  }));
  const once = async (path: (typeof paths)[number]) => {
    try {
      await openPIDualSigned(p, path.variant, ctx, trust);
      path.outcome = "opened";
    } catch (e) {
      path.outcome = e instanceof SetError ? e.code : `untyped ${(e as Error).name}`;
    }
  };
  for (const path of paths) for (let i = 0; i < 5; i++) await once(path);
  const end = performance.now() + seconds * 1000;
  do {
    for (const path of paths) {
      const start = performance.now();
      const cpu = process.cpuUsage();
      for (let i = 0; i < batch; i++) await once(path);
      const used = process.cpuUsage(cpu);
      path.wall += performance.now() - start;
      path.cpu += (used.user + used.system) / 1000;
      path.runs += batch;
    }
  } while (performance.now() < end);
  return paths.map(({ layer, outcome, runs, wall, cpu }) => ({
    layer,
    outcome,
    rate: {
      name: `gateway PI refusal: ${layer}`,
      perSecond: (runs * 1000) / wall,
      ms: wall / runs,
      cpuMs: cpu / runs,
      runs,
    },
  }));
}
