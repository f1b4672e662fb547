/**
 * The protocol's costly operations beside the raw RSA-2048 operations they contain, measured in
 * the same run on the same machine with the keys the protocol uses: the dual signature, the
 * merchant's PReq verification and the gateway's PI opening (cold, and with the cardholder's chain
 * already validated), and the cardholder's certificate path validated cold and cached. Node's
 * provider, one operation at a time; the raw operations are the suite's calls (`rawRsa.ts`).
 */
import { type Codec, decodeOwnedDer, encodeDer } from "../asn1/codec";
import { validateChain } from "../cert/chain";
import { parsedCertificates } from "../cert/setCertificate";
import { ValidatedChainCache } from "../cert/validatedChainCache";
import { DD } from "../crypto/digest";
import { forgetPublicKeys } from "../crypto/keyCache";
import { type CryptoProvider, nodeProvider } from "../crypto/provider";
import { buildPReqDualSigned } from "../purchase/cardholder";
import { openPIDualSigned } from "../purchase/gateway";
import { verifyPReqAsMerchant } from "../purchase/merchant";
import { ContentType } from "../schema/oids";
import { OIData, PIDualSigned, PReq, type PReqDualSigned } from "../schema/purchase";
import { createTestPki, generateTestKeyPair } from "../testing/pki";
import { type PurchaseFixture, purchaseFixture } from "../testing/purchaseFixture";
import { type FailureTiming, measureFailureTiming } from "./failureTiming";
import {
  measure,
  measureBeside,
  measureEach,
  type Rate,
  RawBeside,
  type RawCost,
  type RawMix,
} from "./measure";
import { rawRsaOps } from "./rawRsa";

export { type RawRsaOps, rawRsaOps } from "./rawRsa";

export interface ProtocolRow {
  /** Stable key for comparing runs (JSON). */
  readonly id: string;
  readonly rate: Rate;
  /** The raw crypto the operation cannot avoid, in words. */
  readonly inside: string;
  /** That raw crypto's wall milliseconds, timed beside the row (measure.ts, `RawBeside`). */
  readonly rawMs: number;
  /** That raw crypto's CPU milliseconds (every thread), timed beside the row. */
  readonly rawCpuMs: number;
  /**
   * rate.cpuMs / rawCpuMs: the cost over the raw crypto in CPU time, which other work on the
   * machine does not inflate the way it inflates wall time (on an idle machine the two agree).
   */
  readonly ratio: number;
  /** rate.ms / rawMs, the same in wall time. */
  readonly wallRatio: number;
}

export interface ProtocolBenchResult {
  readonly node: string;
  readonly provider: string;
  readonly secondsPerFigure: number;
  readonly raw: {
    readonly sign: Rate;
    readonly verify: Rate;
    readonly encrypt: Rate;
    readonly decrypt: Rate;
  };
  readonly rows: readonly ProtocolRow[];
  /**
   * The cardholder's path: cardholder, cardholder CA, brand CA, root. `cold`: first sight, every
   * certificate new to the process; `known`: the certificates parsed and their signatures
   * remembered by the process before, the validated-chain cache empty; `cached`: in that cache.
   */
  readonly chain: {
    readonly length: number;
    readonly cold: Rate;
    readonly known: Rate;
    readonly cached: Rate;
  };
  /** Timed runs behind each first-sight figure. */
  readonly firstSightRuns: number;
  /** The purchases (each with its own PKI and cardholder key) those runs are copies of. */
  readonly firstSightPurchases: number;
  /** The gateway's PI check refusing a PI damaged at each envelope layer, beside the valid one. */
  readonly failureTiming: readonly FailureTiming[];
}

/**
 * A purchase no code in this process has seen: its own PKI (new serials, so every certificate's
 * DER is new) and its own cardholder key (so no cache keyed by public key knows it either). The CA
 * keys are shared with the other fixtures (RSA key generation is slow); nothing in the protocol
 * remembers a CA key apart from its certificate.
 */
async function firstSightPurchase(p: CryptoProvider): Promise<{ f: PurchaseFixture; pReq: PReqFor }> {
  const cardholder = await generateTestKeyPair("signature", p);
  const pki = await createTestPki(p, { keys: { cardholder } });
  const f = await purchaseFixture(p, { pki });
  const built = await buildPReqDualSigned(p, f.input);
  return { f, pReq: { built, pReq: { type: "pReqDualSigned", value: built.pReq as PReqDualSigned } } };
}

/**
 * `value` as a party holds it once received: decoded from its own DER, as `decodeMessage` decodes
 * a message (walked once, its byte values views on that DER). A value the benchmark built itself
 * would instead make the verifier walk and copy what it reads, which no received message makes it do.
 */
function received<T>(codec: Codec<T>, value: T): T {
  return decodeOwnedDer(codec, encodeDer(codec, value));
}

type Built = Awaited<ReturnType<typeof buildPReqDualSigned>>;
interface PReqFor {
  readonly built: Built;
  readonly pReq: { readonly type: "pReqDualSigned"; readonly value: PReqDualSigned };
}

export async function runProtocolBench(seconds: number): Promise<ProtocolBenchResult> {
  const p = nodeProvider();
  const pki = await createTestPki(p);
  const f = await purchaseFixture(p, { pki });

  // The raw operations as the protocol makes them (the suite's calls), with keys of their own.
  const ops = await rawRsaOps(p);
  const raw = {
    sign: await measure("RSA-2048 sign (PKCS#1 v1.5, SHA-256)", ops.sign, seconds),
    verify: await measure("RSA-2048 verify", ops.verify, seconds),
    encrypt: await measure("RSA-2048 OAEP encrypt (SHA-256)", ops.encrypt, seconds),
    decrypt: await measure("RSA-2048 OAEP decrypt (SHA-256)", ops.decrypt, seconds),
  };

  const built = await buildPReqDualSigned(p, f.input);
  // The merchant and the gateway verify what they received: values decoded from their DER.
  const pReq = received(PReq, { type: "pReqDualSigned" as const, value: built.pReq as PReqDualSigned });
  const pi = received(PIDualSigned, built.pReq.piDualSigned);
  const merchant = await verifyPReqAsMerchant(p, pReq, f.order, f.trust);
  const ctx = { ...f.ctx, checkDigests: { hOIData: merchant.hOIData, hOD2: merchant.hod } };
  // The cardholder's chain: cardholder, cardholder CA, brand CA and root signatures are checked.
  const chainVerifies = pki.intermediatesOf("cardholder").length + 2;
  // Warm: the verifier keeps the chains it accepted, so only the dual signature is verified again.
  const warmTrust = { ...f.trust, chainCache: new ValidatedChainCache() };

  // Each row's raw crypto is timed beside it, in the same minutes (measure.ts, `RawBeside`).
  type Mix = Partial<Record<keyof typeof raw, number>>;
  const rawMix = (mix: Mix): RawMix =>
    Object.entries(mix).map(([k, count]) => ({ op: ops[k as keyof typeof raw], count: count ?? 0 }));
  const row = async (
    id: string,
    name: string,
    op: () => Promise<unknown>,
    inside: string,
    mix: Mix,
  ): Promise<ProtocolRow> => {
    const { rate, raw: cost } = await measureBeside(name, op, rawMix(mix), seconds);
    return rowOf(id, rate, inside, cost);
  };
  const rowOf = (id: string, rate: Rate, inside: string, cost: RawCost): ProtocolRow => ({
    id,
    rate,
    inside,
    rawMs: cost.ms,
    rawCpuMs: cost.cpuMs,
    ratio: rate.cpuMs / cost.cpuMs,
    wallRatio: rate.ms / cost.ms,
  });

  // First sight: every run starts from what a verifier that never met the purchase's PKI has.
  // Before each run the parse cache and the imported public keys are emptied, and each run gets
  // its own copy of its purchase's bytes (so no cache keyed by a bytes object knows them):
  // `firstSightPurchases` purchases with their own PKI and cardholder key, `firstSightCopies`
  // runs each. Many runs, because a run is under a millisecond and a minor collection, which
  // comes every few dozen runs, is a few: 20 runs gave a mean that moved by half from one run of
  // the bench to the next. Untimed first: 10 other purchases, 600 times each, so the path is
  // compiled as in a lab that has run a while, not half-way through V8's tiering: after 60 times
  // each, TurboFan was still compiling the path's functions during the timed runs
  // (docs/performance.md, "First sight").
  const warmUp = 10;
  const warmUpRounds = 600;
  const firstSightPurchases = Math.max(5, Math.round(10 * seconds));
  const firstSightCopies = 10;
  const firstSightRuns = firstSightPurchases * firstSightCopies;
  const fresh = async () => {
    const out: Awaited<ReturnType<typeof firstSightPurchase>>[] = [];
    for (let i = 0; i < warmUp + firstSightPurchases; i++) out.push(await firstSightPurchase(p));
    return out;
  };
  /** The warm-up purchases once, then `firstSightCopies` copies of each of the others' inputs. */
  const copies = <T>(inputs: readonly T[], copy: (x: T) => T): T[] => {
    const out = inputs.slice(0, warmUp);
    for (let c = 0; c < firstSightCopies; c++) for (const x of inputs.slice(warmUp)) out.push(copy(x));
    return out;
  };
  const forget = () => {
    parsedCertificates.clear();
    forgetPublicKeys(p);
  };
  const merchantInputs = copies(
    (await fresh()).map(({ f: x, pReq: r }) => ({
      pReq: received(PReq, r.pReq),
      order: x.order,
      trust: x.trust,
    })),
    (x) => ({ ...x, pReq: received(PReq, x.pReq), trust: structuredClone(x.trust) }),
  );
  const merchantColdMix: Mix = { verify: 1 + chainVerifies };
  const merchantColdRaw = new RawBeside(rawMix(merchantColdMix));
  const merchantCold = await measureEach(
    "merchant PReq verification, first sight",
    merchantInputs.map((x) => () => verifyPReqAsMerchant(p, x.pReq, x.order, x.trust)),
    forget,
    warmUp,
    warmUpRounds,
    merchantColdRaw,
  );
  const forGateway = await fresh();
  // The merchant's digests the gateway compares with, computed without the merchant's checks
  // (which would have this process see the cardholder's certificate first).
  const gatewayPurchases = await Promise.all(
    forGateway.map(async ({ f: x, pReq: r }) => ({
      pi: received(PIDualSigned, r.built.pReq.piDualSigned),
      ctx: {
        ...x.ctx,
        checkDigests: {
          hOIData: await DD(p, encodeDer(OIData, x.input.oiData), ContentType.OIData),
          hOD2: x.input.oiData.hod,
        },
      },
      trust: x.trust,
    })),
  );
  const gatewayInputs = copies(gatewayPurchases, (g) => ({
    ...g,
    pi: received(PIDualSigned, g.pi),
    trust: structuredClone(g.trust),
  }));
  const gatewayColdMix: Mix = { decrypt: 1, verify: 1 + chainVerifies };
  const gatewayColdRaw = new RawBeside(rawMix(gatewayColdMix));
  const gatewayCold = await measureEach(
    "gateway PI open + verification, first sight",
    gatewayInputs.map((g) => () => openPIDualSigned(p, g.pi, g.ctx, g.trust)),
    forget,
    warmUp,
    warmUpRounds,
    gatewayColdRaw,
  );
  const rows: ProtocolRow[] = [
    await row(
      "dualSignature",
      "dual signature creation (PReq)",
      () => buildPReqDualSigned(p, f.input),
      "1 sign + 1 OAEP encrypt",
      { sign: 1, encrypt: 1 },
    ),
    rowOf(
      "merchantPReqCold",
      merchantCold,
      `${1 + chainVerifies} verifies (dual signature + chain)`,
      merchantColdRaw.cost(),
    ),
    rowOf(
      "gatewayPICold",
      gatewayCold,
      `1 OAEP decrypt + ${1 + chainVerifies} verifies`,
      gatewayColdRaw.cost(),
    ),
    await row(
      "merchantPReqWarm",
      "merchant PReq verification, warm chain",
      () => verifyPReqAsMerchant(p, pReq, f.order, warmTrust),
      "1 verify (dual signature)",
      { verify: 1 },
    ),
    await row(
      "gatewayPIWarm",
      "gateway PI open + verification, warm",
      () => openPIDualSigned(p, pi, ctx, warmTrust),
      "1 OAEP decrypt + 1 verify",
      { decrypt: 1, verify: 1 },
    ),
  ];

  // Chain validation of the cardholder certificate: first sight versus a thumbprint already validated.
  const leaf = pki.cardholder.certificate;
  const intermediates = pki.intermediatesOf("cardholder");
  const at = new Date();
  const chainCache = new ValidatedChainCache();
  await chainCache.put(await validateChain(p, leaf, intermediates, pki.root.certificate, at));
  const chainInputs = copies(
    (await fresh()).map(({ f: x }) => ({
      leaf: x.pki.cardholder.certificate,
      intermediates: x.pki.intermediatesOf("cardholder"),
      root: x.pki.root.certificate,
    })),
    (c) => ({
      leaf: new Uint8Array(c.leaf),
      intermediates: c.intermediates.map((der) => new Uint8Array(der)),
      root: new Uint8Array(c.root),
    }),
  );
  const cold = await measureEach(
    "chain validation, first sight",
    chainInputs.map((c) => () => validateChain(p, c.leaf, c.intermediates, c.root, at)),
    forget,
    warmUp,
    warmUpRounds,
  );
  const known = await measure(
    "chain validation, certificates known",
    () => validateChain(p, leaf, intermediates, pki.root.certificate, at),
    seconds,
  );
  const cached = await measure(
    "chain validation, cached",
    () => chainCache.get(leaf, pki.root.certificate, at),
    seconds,
  );
  return {
    node: process.version,
    provider: p.name,
    secondsPerFigure: seconds,
    raw,
    rows,
    chain: { length: intermediates.length + 2, cold, known, cached },
    firstSightRuns,
    firstSightPurchases,
    failureTiming: await measureFailureTiming(p, built.pReq.piDualSigned, ctx, warmTrust, seconds),
  };
}

const rateLine = (r: Rate) =>
  `${r.name.padEnd(40)} ${r.perSecond.toFixed(0).padStart(8)} /s  ${r.ms.toFixed(3).padStart(8)} ms  ${r.cpuMs.toFixed(3).padStart(8)} ms CPU`;

export function formatProtocolBench(r: ProtocolBenchResult): string {
  const out: string[] = [
    `SET Lab protocol benchmark (Node ${r.node}, provider ${r.provider}, ${r.secondsPerFigure} s per figure)`,
    "",
    "raw crypto",
  ];
  for (const x of Object.values(r.raw)) out.push(`  ${rateLine(x)}`);
  out.push(
    "",
    "protocol operations                                                               raw crypto inside                   CPU / raw (wall)",
  );
  for (const row of r.rows)
    out.push(
      `  ${rateLine(row.rate)}   ${row.inside.padEnd(34)} ${row.ratio.toFixed(1).padStart(5)}x (${row.wallRatio.toFixed(1)}x)`,
    );
  out.push(
    "",
    `certificate paths (cardholder, cardholder CA, brand CA, root: ${r.chain.length} certificates)`,
    `  ${rateLine(r.chain.cold)}`,
    `  ${rateLine(r.chain.known)}`,
    `  ${rateLine(r.chain.cached)}`,
    `first sight: ${r.firstSightRuns} runs over ${r.firstSightPurchases} purchases, each with its own PKI and cardholder key; before each run the parse cache and the public keys are emptied and the run's bytes are new copies`,
  );
  out.push("", ...failureTimingLines(r.failureTiming));
  return `${out.join("\n")}\n`;
}

/** The failure-timing figure as report lines: each layer's time beside the valid PI's. */
export function failureTimingLines(timing: readonly FailureTiming[]): string[] {
  const valid = timing[0]?.rate.ms ?? 0;
  return [
    "gateway PI check refusing a PI damaged at one layer (warm chain): one answer for all, and the time each takes",
    ...timing.map((t) => {
      const d = t.rate.ms - valid;
      return `  ${t.layer.padEnd(44)} ${t.rate.ms.toFixed(3).padStart(7)} ms wall  ${t.rate.cpuMs.toFixed(3).padStart(7)} ms CPU  ${d >= 0 ? "+" : ""}${d.toFixed(3)} ms vs valid  -> ${t.outcome}`;
    }),
  ];
}
