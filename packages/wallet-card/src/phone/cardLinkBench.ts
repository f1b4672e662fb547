/**
 * `pnpm bench` (wallet-card): what it costs to open the secure card link, by a pairing with the
 * code versus a resumption with a bond, and what one card command costs on an open link
 * (docs/card-link.md). The phone's side runs as in `set-phone serve` (its link on node's WebCrypto,
 * the card on @peculiar/webcrypto, the bond store in a temporary data directory, sealed on disk);
 * the PC's side on node's WebCrypto; real TCP on loopback; each connection runs one card command
 * and closes. Both ends live in this process, so the CPU figure is the two ends together.
 *
 * Environment: BENCH_LINKS (connections per figure, default 200), BENCH_CONCURRENCY (default 8),
 * BENCH_PHONE_LINK=peculiar (the phone's link on the card's provider instead, for comparison).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { INS, nodeProvider, peculiarProvider } from "@setlab/protocol";
import { PcCardLink, type PcCardLinkOptions, startPhoneCardLink } from "@setlab/protocol/card-link";
import { CardApplet } from "../card/applet";
import { autoApprove } from "../card/confirmation";
import { PhoneBondStore } from "./bondStore";

const CODE = "141421";

interface Figure {
  readonly name: string;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly perSecond: number;
}

async function measure(
  name: string,
  count: number,
  concurrency: number,
  connect: () => Promise<PcCardLink>,
): Promise<Figure> {
  const one = async () => {
    const c = await connect();
    await c.transmit({ ins: INS.GET_STATUS });
    await c.close();
  };
  for (let i = 0; i < 10; i++) await one();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) await one();
    }),
  );
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    name,
    wallMs: concurrency === 1 ? elapsed / count : Number.NaN,
    cpuMs: (cpu.user + cpu.system) / 1000 / count,
    perSecond: (count * 1000) / elapsed,
  };
}

/** One card command on a link already open: two records each way, the applet and TCP. */
async function commands(
  bond: NonNullable<PcCardLink["bond"]>,
  to: (options: PcCardLinkOptions) => () => Promise<PcCardLink>,
  count: number,
): Promise<Figure> {
  const link = await to({ bond })();
  try {
    for (let i = 0; i < 50; i++) await link.transmit({ ins: INS.GET_STATUS });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < count; i++) await link.transmit({ ins: INS.GET_STATUS });
    const elapsed = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return {
      name: "1 command on an open link (4 record seals/opens)",
      wallMs: elapsed / count,
      cpuMs: (cpu.user + cpu.system) / 1000 / count,
      perSecond: (count * 1000) / elapsed,
    };
  } finally {
    await link.close();
  }
}

async function main(): Promise<void> {
  const count = Number(process.env.BENCH_LINKS ?? 200);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-link-bench-"));
  const p = peculiarProvider();
  const onPeculiar = process.env.BENCH_PHONE_LINK === "peculiar";
  const linkProvider = onPeculiar ? p : nodeProvider();
  const bonds = PhoneBondStore.open(dataDir, { provider: linkProvider, passphrase: "bench", maxBonds: 1000 });
  const applet = new CardApplet([], { p, confirm: autoApprove });
  // The bench pairs faster than a phone lets strangers start pairings (100 a second): the budget is
  // lifted here, as the figures are the link's cost, not the phone's defence against a flood.
  const server = await startPhoneCardLink(applet, {
    provider: linkProvider,
    pairing: { code: CODE, bonds },
    limits: { pairingsPerSecond: 1e6, pairingBurst: 1e6 },
  });
  const to = (options: PcCardLinkOptions) => () => PcCardLink.connect("127.0.0.1", server.port, options);
  try {
    const first = await to({ pairingCode: CODE, keepBond: true })();
    await first.close();
    const bond = first.bond!;
    const figures: Figure[] = [];
    for (const c of [1, concurrency]) {
      figures.push(
        await measure(`pairing by code (20 rounds), concurrency ${c}`, count, c, to({ pairingCode: CODE })),
      );
      figures.push(
        await measure(
          `pairing by code + new bond stored, concurrency ${c}`,
          Math.min(count, 100),
          c,
          to({ pairingCode: CODE, keepBond: true }),
        ),
      );
      figures.push(await measure(`resumption with the bond, concurrency ${c}`, count, c, to({ bond })));
    }
    figures.push(await commands(bond, to, count * 10));
    const rows = figures.map(
      (f) =>
        `${f.name.padEnd(56)} ${Number.isNaN(f.wallMs) ? "       -" : `${f.wallMs.toFixed(2).padStart(8)}`} ms wall ${f.cpuMs
          .toFixed(2)
          .padStart(7)} ms CPU ${f.perSecond.toFixed(0).padStart(6)} /s`,
    );
    process.stdout.write(
      `card link: open + 1 command + close, phone's link on ${onPeculiar ? "@peculiar/webcrypto" : "node's WebCrypto"}, PC node's WebCrypto, ${count} connections per row, ${os.cpus().length} CPUs\n${rows.join("\n")}\n`,
    );
  } finally {
    await server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
