/**
 * A stranger on the lab's machine against the phone's card link, without the code: connections
 * that say HELLO and hang up, handshakes left stalled, frames announced at 1 MiB and left
 * half-sent, wrong codes until pairing locks. None may lock the owner out, hold the door shut or
 * pin the phone's memory; the owner's pairing goes through during or right after each, at worst
 * once the owner reopened pairing from the phone (docs/card-link.md, "Threat analysis").
 */
import { execFileSync } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";
import { helloFrame, pairWithWrongCode, wrongCodeFor } from "@setlab/lab";
import { INS } from "@setlab/protocol";
import { PcCardLink } from "@setlab/protocol/card-link";
import type { Attack, AttackTarget } from "../attack";
import { logEntries } from "../toolkit/gatewayProbe";
import { labPids, peakMemoryOf } from "../toolkit/labProcesses";
import { RogueCard, SW_OK, swHex } from "../toolkit/rogueCard";
import { verdict } from "../toolkit/verdict";

const phoneOf = (target: AttackTarget) => {
  const url = new URL(target.phoneUrl);
  return { host: url.hostname, port: Number(url.port) };
};

/** Open a connection and write `bytes`; `end` half-closes it. Resolves when the phone has closed it. */
function connectAndSend(
  target: AttackTarget,
  bytes: Uint8Array,
  options: { end?: boolean; onOpen?: (s: net.Socket) => void } = {},
): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.createConnection(phoneOf(target), () => {
      options.onOpen?.(socket);
      if (options.end) socket.end(bytes);
      else socket.write(bytes);
    });
    socket.resume();
    socket.on("error", () => {});
    socket.on("close", () => resolve());
  });
}

/** The owner's pairing with the lab's code and one command; its status word, or why it failed. */
async function ownerGetsIn(target: AttackTarget): Promise<string> {
  try {
    const card = await RogueCard.connect(target);
    try {
      return swHex((await card.command(INS.SELECT, new TextEncoder().encode("visa-approve"))).sw);
    } finally {
      await card.close();
    }
  } catch (e) {
    return (e as { link?: string }).link ?? (e as Error).message;
  }
}

const lockouts = (target: AttackTarget) =>
  logEntries(target.home, "phone").filter((l) => String(l.msg).includes("pairings refused for")).length;

/** Wait for the phone to close every connection in `closed`, at most about `ms`; how many it closed. */
async function closedWithin(closed: Promise<void>[], ms: number): Promise<number> {
  let done = 0;
  for (const c of closed) void c.then(() => done++);
  for (let waited = 0; done < closed.length && waited < ms; waited += 50)
    await new Promise((r) => setTimeout(r, 50));
  return done;
}

export const helloFlood: Attack = {
  id: "card-link/hello-flood",
  category: "card-link",
  title:
    "Sixty connections send a HELLO and hang up (no code, no proof), in bursts, then the owner pairs with the lab's code.",
  expected:
    "None counts towards the pairing lockout (only a refused code proof does): the owner pairs and the card answers SELECT with 9000.",
  async run(target) {
    const before = lockouts(target);
    for (let burst = 0; burst < 3; burst++)
      await Promise.all(
        Array.from({ length: 20 }, async () => connectAndSend(target, await helloFrame(), { end: true })),
      );
    const owner = await ownerGetsIn(target);
    const locked = lockouts(target) - before;
    return verdict(target, {
      refused: owner === swHex(SW_OK) && locked === 0,
      refusedBy: "card",
      signal: owner,
      changed: locked > 0 ? [`${locked} pairing lockout(s)`] : [],
      detail: `owner's pairing and SELECT after 60 HELLO-and-hang-ups: ${owner}`,
    });
  },
};

export const stalledHandshakes: Attack = {
  id: "card-link/stalled-handshakes",
  category: "card-link",
  title:
    "Sixty-four connections send a HELLO and stall, sixty-four more send part of a frame, sixty-four send nothing; meanwhile the owner pairs.",
  expected:
    "Stalled handshakes are displaced (at most 64 held) and closed at the frame and opening deadlines; the owner pairs and gets 9000.",
  async run(target) {
    const before = lockouts(target);
    const hello = await helloFrame();
    const sockets: net.Socket[] = [];
    const keep = (s: net.Socket) => sockets.push(s);
    const closed = [
      ...Array.from({ length: 64 }, () => connectAndSend(target, hello, { onOpen: keep })),
      ...Array.from({ length: 64 }, () => connectAndSend(target, hello.subarray(0, 20), { onOpen: keep })),
      ...Array.from({ length: 64 }, () => connectAndSend(target, new Uint8Array(0), { onOpen: keep })),
    ];
    const owner = await ownerGetsIn(target);
    // The phone's opening and frame deadlines are 30 s: every stalled connection is closed by then.
    const closedByPhone = await closedWithin(closed, 40_000);
    for (const s of sockets) s.destroy();
    const locked = lockouts(target) - before;
    return verdict(target, {
      refused: owner === swHex(SW_OK) && closedByPhone === closed.length && locked === 0,
      refusedBy: "card",
      signal: owner,
      changed: locked > 0 ? [`${locked} pairing lockout(s)`] : [],
      detail: `owner during the stall: ${owner}; the phone closed ${closedByPhone} of ${closed.length} stalled connections`,
    });
  },
};

export const halfSentFrames: Attack = {
  id: "card-link/half-sent-frames",
  category: "card-link",
  title:
    "Three hundred connections each announce a 1 MiB frame and send 256 KiB of it, to pin the phone's memory.",
  expected:
    "Each is refused on its length prefix (before pairing no frame is longer than a handshake message): the phone's peak memory grows by less than 32 MiB and the owner still pairs.",
  async run(target) {
    const pid = labPids(target.home).phone;
    const before = peakMemoryOf(pid);
    const half = new Uint8Array(4 + 256 * 1024);
    new DataView(half.buffer).setUint32(0, 1024 * 1024);
    const closed = Array.from({ length: 300 }, () => connectAndSend(target, half));
    const closedByPhone = await closedWithin(closed, 20_000);
    const after = peakMemoryOf(pid);
    const grown = before !== undefined && after !== undefined ? after - before : undefined;
    const owner = await ownerGetsIn(target);
    return verdict(target, {
      refused:
        grown !== undefined &&
        grown < 32 * 1024 * 1024 &&
        closedByPhone === closed.length &&
        owner === swHex(SW_OK),
      refusedBy: "card",
      signal: owner,
      changed: [],
      detail: `the phone closed ${closedByPhone} of 300; its peak memory grew by ${
        grown === undefined ? "(unreadable)" : `${(grown / 1048576).toFixed(1)} MiB`
      }; owner afterwards: ${owner}`,
    });
  },
};

const phoneCli = path.join(
  path.dirname(require.resolve("@setlab/wallet-card/package.json")),
  "dist",
  "cli.js",
);

export const wrongCodesThenOwner: Attack = {
  id: "card-link/wrong-codes-lock-then-owner",
  category: "card-link",
  title:
    "A stranger sends wrong pairing codes until pairing locks (the switch that kept the owner out), then tries the code it was guessing at again.",
  expected:
    "Each wrong code spends the phone's code (the owner's code file holds a fresh one); the owner reopens pairing from the phone (`set-phone pair`) and pairs at once with 9000; the stranger's old code is refused.",
  async run(target) {
    const before = lockouts(target);
    const guessedAt = target.pairingCode;
    if (guessedAt === undefined || target.phoneData === undefined)
      throw new Error("this attack needs a lab with a pairing code file and the phone's data directory");
    const wrong: string[] = [];
    for (let i = 0; i < 3; i++)
      wrong.push(await pairWithWrongCode(phoneOf(target), wrongCodeFor(target.pairingCode ?? guessedAt)));
    const ownerWhileLocked = await ownerGetsIn(target);
    const locked = lockouts(target) - before;
    const renewed = target.pairingCode !== guessedAt;
    // The owner, at the phone: a command only the phone's user can run (its data directory is 0700).
    execFileSync(process.execPath, [phoneCli, "pair", "--data", target.phoneData], { stdio: "ignore" });
    // The stranger's old code is a wrong code now (counted once, and a fresh code drawn again) ...
    const oldCode = await pairWithWrongCode(phoneOf(target), guessedAt);
    // ... and the owner pairs with the code the file holds now.
    const owner = await ownerGetsIn(target);
    return verdict(target, {
      refused:
        wrong.every((w) => w === "pairing") &&
        ownerWhileLocked === "locked" &&
        locked === 1 &&
        renewed &&
        oldCode === "pairing" &&
        owner === swHex(SW_OK),
      refusedBy: "card",
      signal: owner,
      changed: owner === swHex(SW_OK) ? [] : [`the owner was kept out: ${owner}`],
      detail: `stranger: ${wrong.join(", ")}; owner while locked: ${ownerWhileLocked}; code renewed: ${renewed}; stranger's old code after the reopening: ${oldCode}; owner after reopening: ${owner}`,
    });
  },
};

export const helloBudget: Attack = {
  id: "card-link/hello-key-pair-flood",
  category: "card-link",
  title:
    "Four hundred HELLOs at once, each costing the phone a key pair, then the owner resumes its bond and pairs a new PC.",
  expected:
    "The phone makes key pairs for at most its budget (128 at once, then 100 a second) and answers the rest ALERT(busy) before any elliptic-curve work; the bonded PC resumes at once and the new pairing gets 9000 once the flood is over.",
  async run(target) {
    const { host, port } = phoneOf(target);
    const bonded = await PcCardLink.connect(host, port, { pairingCode: target.pairingCode, keepBond: true });
    await bonded.close();
    const hello = await helloFrame();
    let busy = 0;
    let answered = 0;
    await Promise.all(
      Array.from(
        { length: 400 },
        () =>
          new Promise<void>((resolve) => {
            const socket = net.createConnection({ host, port }, () => socket.write(hello));
            socket.on("data", (d) => {
              // A HELLO answer (0x01) or ALERT(busy) (0x05 0x04), after the 4-byte length.
              if (d[4] === 0x05 && d[5] === 0x04) busy++;
              else if (d[4] === 0x01) answered++;
              socket.destroy();
            });
            socket.on("error", () => {});
            socket.on("close", () => resolve());
          }),
      ),
    );
    const resumed = await PcCardLink.connect(host, port, { bond: bonded.bond! }).then(
      async (l) => {
        await l.close();
        return l.mode;
      },
      (e) => (e as Error).message,
    );
    // The budget refills at 100 a second: a second later the owner's new pairing has its key pair.
    await new Promise((r) => setTimeout(r, 1_000));
    const owner = await ownerGetsIn(target);
    return verdict(target, {
      refused: busy > 0 && answered <= 400 - busy && resumed === "resumed" && owner === swHex(SW_OK),
      refusedBy: "card",
      signal: owner,
      changed: [],
      detail: `${answered} HELLOs answered, ${busy} refused busy before any key pair; bonded PC: ${resumed}; owner's new pairing afterwards: ${owner}`,
    });
  },
};

export const linkFloodAttacks: readonly Attack[] = [
  helloFlood,
  stalledHandshakes,
  halfSentFrames,
  wrongCodesThenOwner,
  helloBudget,
];
