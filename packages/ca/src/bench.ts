/**
 * The CA benchmark (`node packages/ca/dist/bench.js [--json]`; the full `pnpm bench` runs it too):
 * certificates issued per second (RSA-2048 signature, profile check and the SQLite WAL write that
 * precedes the return), from SPKI and from PKCS#10, and CRLs signed per second. Key generation is
 * done beforehand and not counted: it belongs to the requester. BENCH_MICRO_SECONDS (or
 * BENCH_SECONDS) x 20 operations per figure, default 40; --json prints one JSON object.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { nodeProvider } from "@setlab/protocol";
import { createHierarchy } from "./hierarchy";
import { SqliteCaStore } from "./store";

export interface CaRate {
  readonly id: string;
  readonly name: string;
  readonly perSecond: number;
  readonly ms: number;
  readonly runs: number;
}

const json = process.argv.includes("--json");
const rates: CaRate[] = [];

async function timed(
  id: string,
  name: string,
  count: number,
  op: (i: number) => Promise<unknown>,
): Promise<void> {
  const start = performance.now();
  for (let i = 0; i < count; i++) await op(i);
  const ms = performance.now() - start;
  const r = { id, name, perSecond: (count * 1000) / ms, ms: ms / count, runs: count };
  rates.push(r);
  if (!json) console.log(`${name}: ${r.perSecond.toFixed(1)}/s (${r.ms.toFixed(2)} ms each, ${count} runs)`);
}

async function main() {
  const seconds = Number(process.env.BENCH_MICRO_SECONDS || process.env.BENCH_SECONDS || 2);
  const count = Math.max(5, Math.round(seconds * 20));
  const provider = nodeProvider();
  const dir = mkdtempSync(join(tmpdir(), "setlab-ca-bench-"));
  const store = new SqliteCaStore(join(dir, "ca.sqlite"));
  try {
    const h = await createHierarchy({ brands: ["Visa"], store, provider });
    const pca = h.brands.Visa.pca;
    const algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;
    const keys: CryptoKeyPair[] = [];
    for (let i = 0; i < 2 * count; i++)
      keys.push(
        await provider.crypto.subtle.generateKey(
          { ...algorithm, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
          true,
          ["sign", "verify"],
        ),
      );
    const spkis = await Promise.all(
      keys
        .slice(0, count)
        .map(async (k) => new Uint8Array(await provider.crypto.subtle.exportKey("spki", k.publicKey))),
    );
    const csrs = await Promise.all(
      keys.slice(count).map(async (k, i) => {
        const csr = await x509.Pkcs10CertificateRequestGenerator.create({
          name: `CN=Bench Gateway ${i}`,
          keys: k,
          signingAlgorithm: algorithm,
        });
        return new Uint8Array(csr.rawData);
      }),
    );
    await timed("issueFromSpki", "CA issuance from SPKI", count, (i) =>
      pca.issue({ profile: "gatewaySignature", commonName: `Bench ${i}`, publicKey: spkis[i] }),
    );
    await timed("issueFromPkcs10", "CA issuance from PKCS#10", count, (i) =>
      pca.issue({ profile: "gatewaySignature", pkcs10: csrs[i] }),
    );
    const issued = await store.listIssued(pca.id);
    for (const c of issued.slice(0, Math.min(50, issued.length))) await pca.revoke(c.serial, "superseded");
    await timed("crlSigning", `CRL signing (${Math.min(50, issued.length)} entries)`, count, () => pca.crl());
    if (json) console.log(JSON.stringify({ rates }));
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
