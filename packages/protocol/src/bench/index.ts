/**
 * `pnpm bench`: the dual signature's three protocol operations beside the raw RSA-2048 operations
 * they contain, measured in the same run on the same machine, and the ratio of each protocol
 * operation's cost to its raw crypto. Node's WebCrypto, one core, sequential.
 */

import { validateChain } from "../cert/chain";
import { ValidatedChainCache } from "../cert/validatedChainCache";
import { nodeProvider } from "../crypto/provider";
import { buildPReqDualSigned } from "../purchase/cardholder";
import { openPIDualSigned } from "../purchase/gateway";
import { verifyPReqAsMerchant } from "../purchase/merchant";
import type { PReqDualSigned } from "../schema/purchase";
import { createTestPki } from "../testing/pki";
import { purchaseFixture } from "../testing/purchaseFixture";
import { measure, type Rate } from "./measure";

async function main() {
  const seconds = Number(process.env.BENCH_SECONDS ?? 2);
  const p = nodeProvider();
  const subtle = p.crypto.subtle;
  const pki = await createTestPki(p.crypto);
  const f = await purchaseFixture(p, { pki });

  // Raw RSA-2048 with the keys the protocol uses.
  const digest = new Uint8Array(p.random(32));
  const signature = await subtle.sign("RSASSA-PKCS1-v1_5", pki.cardholder.privateKey, digest);
  const oaepPlain = new Uint8Array(p.random(150));
  const oaep = await subtle.encrypt({ name: "RSA-OAEP" }, pki.gatewayKex.publicKey, oaepPlain);
  const raw = {
    sign: await measure(
      "RSA-2048 sign (PKCS#1 v1.5, SHA-256)",
      () => subtle.sign("RSASSA-PKCS1-v1_5", pki.cardholder.privateKey, digest),
      seconds,
    ),
    verify: await measure(
      "RSA-2048 verify",
      () => subtle.verify("RSASSA-PKCS1-v1_5", pki.cardholder.publicKey, signature, digest),
      seconds,
    ),
    encrypt: await measure(
      "RSA-2048 OAEP encrypt (SHA-256)",
      () => subtle.encrypt({ name: "RSA-OAEP" }, pki.gatewayKex.publicKey, oaepPlain),
      seconds,
    ),
    decrypt: await measure(
      "RSA-2048 OAEP decrypt (SHA-256)",
      () => subtle.decrypt({ name: "RSA-OAEP" }, pki.gatewayKex.privateKey, oaep),
      seconds,
    ),
  };

  const built = await buildPReqDualSigned(p, f.input);
  const pReq = { type: "pReqDualSigned" as const, value: built.pReq as PReqDualSigned };
  const merchant = await verifyPReqAsMerchant(p, pReq, f.order, f.trust);
  const ctx = { ...f.ctx, checkDigests: { hOIData: merchant.hOIData, hOD2: merchant.hod } };
  // The cardholder's chain: cardholder, cardholder CA, brand CA and root signatures are checked.
  const chainVerifies = pki.intermediatesOf("cardholder").length + 2;
  // Warm: the verifier keeps the chains it accepted, so only the dual signature is verified again.
  const warmTrust = { ...f.trust, chainCache: new ValidatedChainCache(p) };

  const protocol: [Rate, string, number][] = [
    [
      await measure("dual signature creation (PReq)", () => buildPReqDualSigned(p, f.input), seconds),
      "1 sign + 1 OAEP encrypt",
      raw.sign.ms + raw.encrypt.ms,
    ],
    [
      await measure(
        "merchant PReq verification",
        () => verifyPReqAsMerchant(p, pReq, f.order, f.trust),
        seconds,
      ),
      `${1 + chainVerifies} verifies (dual signature + chain)`,
      (1 + chainVerifies) * raw.verify.ms,
    ],
    [
      await measure(
        "gateway PI open + verification",
        () => openPIDualSigned(p, built.pReq.piDualSigned, ctx, f.trust),
        seconds,
      ),
      `1 OAEP decrypt + ${1 + chainVerifies} verifies`,
      raw.decrypt.ms + (1 + chainVerifies) * raw.verify.ms,
    ],
    [
      await measure(
        "merchant PReq verification, warm chain",
        () => verifyPReqAsMerchant(p, pReq, f.order, warmTrust),
        seconds,
      ),
      "1 verify (dual signature)",
      raw.verify.ms,
    ],
    [
      await measure(
        "gateway PI open + verification, warm",
        () => openPIDualSigned(p, built.pReq.piDualSigned, ctx, warmTrust),
        seconds,
      ),
      "1 OAEP decrypt + 1 verify",
      raw.decrypt.ms + raw.verify.ms,
    ],
  ];

  const row = (r: Rate) =>
    `${r.name.padEnd(40)} ${r.perSecond.toFixed(0).padStart(8)} /s  ${r.ms.toFixed(3).padStart(8)} ms`;
  const out: string[] = [
    `SET Lab protocol benchmark (Node ${process.version}, provider ${p.name}, ${seconds} s per figure)`,
    "",
    "raw crypto",
  ];
  for (const r of Object.values(raw)) out.push(`  ${row(r)}`);
  out.push(
    "",
    "protocol operations                                                  raw crypto inside            cost / raw",
  );
  for (const [r, inside, rawMs] of protocol)
    out.push(`  ${row(r)}   ${inside.padEnd(34)} ${(r.ms / rawMs).toFixed(1).padStart(5)}x`);

  // Chain validation of the cardholder certificate: first sight versus a thumbprint already validated.
  const leaf = pki.cardholder.certificate;
  const intermediates = pki.intermediatesOf("cardholder");
  const at = new Date();
  const chainCache = new ValidatedChainCache(p);
  await chainCache.put(await validateChain(p, leaf, intermediates, pki.root.certificate, at));
  const cold = await measure(
    "chain validation, cold",
    () => validateChain(p, leaf, intermediates, pki.root.certificate, at),
    seconds,
  );
  const warm = await measure(
    "chain validation, cached",
    () => chainCache.get(leaf, pki.root.certificate, at),
    seconds,
  );
  out.push(
    "",
    "certificate paths (cardholder, cardholder CA, brand CA, root)",
    `  ${row(cold)}`,
    `  ${row(warm)}`,
  );
  process.stdout.write(`${out.join("\n")}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${(e as Error).message}\n`);
  process.exit(1);
});
