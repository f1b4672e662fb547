/**
 * The PC end's bonds against the phone end: `startPhoneCardLink` on TCP with its bonds in a Map
 * and a card that answers every command with 9000, so the two ends of the card link are tested
 * together. The real phone process with its bond store on disk is tested in @setlab/wallet-card
 * (cardLinkBonds.test.ts) and end to end in the mediator's purchase.e2e.test.ts.
 */

import * as net from "node:net";
import { bondIdHex, encodeResponse, importLinkKey } from "../card";
import { defaultProvider, nodeProvider } from "../crypto/provider";
import { BondCache } from "./bondCache";
import type { BondKeeper } from "./bondKeeper";
import { CardTransportError } from "./cardTransportError";
import { connectCardLink, PcCardLink } from "./pcCardLink";
import { type LinkLogger, startPhoneCardLink } from "./phoneCardLink";

const CODE = "577215";

interface BondingPhone {
  port: number;
  address: string;
  /** Link keys by bond id (hex). */
  bonds: Map<string, CryptoKey>;
  /** Attempts, successful or not, as the phone end logs them. */
  pairings: number;
  resumptions: number;
  /** The run ids the phone end read from the PC's session contexts. */
  contexts: string[];
  /** Every byte the PC sent. */
  wire: Buffer[];
  close(): Promise<void>;
}

async function bondingPhone(options: { bonding?: boolean } = {}): Promise<BondingPhone> {
  const provider = nodeProvider();
  const state = {
    bonds: new Map<string, CryptoKey>(),
    pairings: 0,
    resumptions: 0,
    contexts: [] as string[],
    wire: [] as Buffer[],
  };
  const count = (message: string, fields: { runId?: string }) => {
    if (message === "card link paired" || message === "pairing failed") state.pairings++;
    if (message === "card link resumed" || message === "resumption failed") state.resumptions++;
    if (message === "card link context" && fields.runId) state.contexts.push(fields.runId);
  };
  const logger: LinkLogger = {
    debug: (fields, message) => count(message, fields),
    info: (fields, message) => count(message, fields),
    warn: (fields, message) => count(message, fields),
    error: () => {},
  };
  const ok = encodeResponse({ sw: 0x9000 });
  const card = { openSession: () => ({ transmit: async () => ok }) };
  const phone = await startPhoneCardLink(card, {
    logger,
    provider,
    pairing: {
      code: CODE,
      // the failure limits are the phone end's own tests' (wallet-card); here they would only interfere
      maxFailures: 1000,
      bonds:
        options.bonding === false
          ? undefined
          : {
              lookup: async (id) => state.bonds.get(bondIdHex(id)),
              add: async (id, raw) => {
                state.bonds.set(bondIdHex(id), await importLinkKey(provider, raw));
              },
            },
    },
  });
  phone.server.on("connection", (socket: net.Socket) => socket.on("data", (d) => state.wire.push(d)));
  return Object.assign(state, {
    port: phone.port,
    address: `127.0.0.1:${phone.port}`,
    close: () => phone.close(),
  });
}

const phones: BondingPhone[] = [];
async function phone(options?: { bonding?: boolean }) {
  const p = await bondingPhone(options);
  phones.push(p);
  return p;
}
afterAll(async () => {
  await Promise.all(phones.map((p) => p.close()));
});

async function failure(p: Promise<unknown>): Promise<CardTransportError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CardTransportError);
    return e as CardTransportError;
  }
  throw new Error("expected a failure");
}

/** Connect, run one command, close. */
async function use(link: PcCardLink): Promise<PcCardLink> {
  expect((await link.transmit({ ins: 0x10 })).sw).toBe(0x9000);
  await link.close();
  return link;
}

describe("the PC's bonds", () => {
  test("the first connection pairs and bonds; later ones resume with no code asked", async () => {
    const p = await phone();
    const bonds = new BondCache();
    let asked = 0;
    const code = async () => {
      asked++;
      return CODE;
    };
    const first = await use(await PcCardLink.connect("127.0.0.1", p.port, { pairingCode: code, bonds }));
    expect(first.mode).toBe("paired");
    expect(bonds.size).toBe(1);
    expect(p.bonds.size).toBe(1);
    for (let i = 0; i < 3; i++) {
      const link = await use(
        await PcCardLink.connect("127.0.0.1", p.port, { pairingCode: code, bonds, runId: `run-${i}` }),
      );
      expect(link.mode).toBe("resumed");
    }
    expect(asked).toBe(1);
    expect({ pairings: p.pairings, resumptions: p.resumptions }).toEqual({ pairings: 1, resumptions: 3 });
    // the run id still travels inside the resumed session
    expect(p.contexts).toEqual(["run-0", "run-1", "run-2"]);
    expect(Buffer.concat(p.wire).includes(Buffer.from("run-1"))).toBe(false);
  });

  test("connections started together share one pairing: one code, one bond on the phone", async () => {
    const p = await phone();
    const bonds = new BondCache();
    let asked = 0;
    const links = await Promise.all(
      Array.from({ length: 8 }, () =>
        connectCardLink({
          host: "127.0.0.1",
          port: p.port,
          bonds,
          pairingCode: async () => {
            asked++;
            return CODE;
          },
        }),
      ),
    );
    await Promise.all(links.map(use));
    expect(asked).toBe(1);
    expect(p.pairings).toBe(1);
    expect(p.resumptions).toBe(7);
    expect(p.bonds.size).toBe(1);
    expect(links.filter((l) => l.mode === "resumed")).toHaveLength(7);
  });

  test("without a bond cache nothing is bonded: every connection pairs", async () => {
    const p = await phone();
    await use(await PcCardLink.connect("127.0.0.1", p.port, { pairingCode: CODE }));
    await use(await PcCardLink.connect("127.0.0.1", p.port, { pairingCode: CODE }));
    expect(p.pairings).toBe(2);
    expect(p.bonds.size).toBe(0);
  });

  test("a phone that does not bond leaves nothing in the cache", async () => {
    const p = await phone({ bonding: false });
    const bonds = new BondCache();
    await use(await PcCardLink.connect("127.0.0.1", p.port, { pairingCode: CODE, bonds }));
    expect(bonds.size).toBe(0);
    await use(await PcCardLink.connect("127.0.0.1", p.port, { pairingCode: CODE, bonds }));
    expect(p.pairings).toBe(2);
  });

  test("a bond the phone revoked: the PC forgets it and pairs with the code again", async () => {
    const p = await phone();
    const bonds = new BondCache();
    await use(await PcCardLink.connect("127.0.0.1", p.port, { pairingCode: CODE, bonds }));
    const old = bonds.get(p.address)!.bondId;
    p.bonds.clear();
    const link = await use(await PcCardLink.connect("127.0.0.1", p.port, { pairingCode: CODE, bonds }));
    expect(link.mode).toBe("paired");
    expect({ pairings: p.pairings, resumptions: p.resumptions }).toEqual({ pairings: 2, resumptions: 1 });
    expect(bonds.get(p.address)!.bondId).not.toEqual(old);
    expect((await use(await PcCardLink.connect("127.0.0.1", p.port, { bonds }))).mode).toBe("resumed");
  });

  test("a bond the phone revoked, and no code: an 'unbonded' refusal, and the bond is forgotten", async () => {
    const p = await phone();
    const bonds = new BondCache();
    await use(await PcCardLink.connect("127.0.0.1", p.port, { pairingCode: CODE, bonds }));
    p.bonds.clear();
    const e = await failure(PcCardLink.connect("127.0.0.1", p.port, { bonds }));
    expect(e.kind).toBe("unbonded");
    expect(e.message).toMatch(/no such bond/);
    expect(bonds.size).toBe(0);
    expect((await failure(PcCardLink.connect("127.0.0.1", p.port, { bonds }))).message).toMatch(
      /no pairing code/,
    );
  });

  test("a phone holding another key under the bond id refuses at key confirmation; with the code the PC pairs again", async () => {
    const p = await phone();
    const bonds = new BondCache();
    await use(await PcCardLink.connect("127.0.0.1", p.port, { pairingCode: CODE, bonds }));
    const [id] = p.bonds.keys();
    p.bonds.set(
      id,
      await importLinkKey(defaultProvider, globalThis.crypto.getRandomValues(new Uint8Array(32))),
    );
    const e = await failure(PcCardLink.connect("127.0.0.1", p.port, { bonds }));
    expect(e).toMatchObject({ kind: "pairing", link: "pairing" });
    expect(e.message).toMatch(/resuming the bond with the phone failed/);
    // the stale bond is gone; with a code, a new pairing replaces it
    expect(bonds.size).toBe(0);
    await use(await PcCardLink.connect("127.0.0.1", p.port, { pairingCode: CODE, bonds }));
    p.bonds.set(
      id,
      await importLinkKey(defaultProvider, globalThis.crypto.getRandomValues(new Uint8Array(32))),
    );
    expect((await use(await PcCardLink.connect("127.0.0.1", p.port, { bonds }))).mode).toBe("resumed");
  });

  test("connections that share a failed pairing each fail; nobody waits forever", async () => {
    const p = await phone();
    const bonds = new BondCache();
    const errors = await Promise.all(
      Array.from({ length: 3 }, () =>
        failure(PcCardLink.connect("127.0.0.1", p.port, { pairingCode: "000001", bonds })),
      ),
    );
    for (const e of errors) expect(e.kind).toBe("pairing");
    expect(bonds.size).toBe(0);
    expect(bonds.pairingWith(p.address)).toBeUndefined();
  });

  test("a phone that does not answer a RESUME in time: timeout, the bond kept", async () => {
    const p = await phone();
    const bonds = new BondCache();
    await use(await PcCardLink.connect("127.0.0.1", p.port, { pairingCode: CODE, bonds }));
    // It accepts and never reads, so a socket it accepted would stay open after the PC hangs up.
    const accepted: net.Socket[] = [];
    const silent = net.createServer((s) => {
      accepted.push(s);
      s.on("error", () => {});
    });
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as net.AddressInfo).port;
    bonds.remember(`127.0.0.1:${port}`, bonds.get(p.address)!);
    const e = await failure(
      PcCardLink.connect("127.0.0.1", port, { bonds, pairingCode: CODE, resumeTimeoutMs: 150 }),
    );
    expect(e.kind).toBe("timeout");
    expect(e.message).toMatch(/no resumption with the phone within 150 ms/);
    expect(bonds.get(`127.0.0.1:${port}`)).toBeDefined();
    for (const s of accepted) s.destroy();
    await new Promise((r) => silent.close(r));
  });
});

/** A keeper in a Map, standing for an OS keyring (the Linux keyring's is tested in the mediator). */
function mapKeeper() {
  const kept = new Map<string, { bondId: Uint8Array; linkKey: Uint8Array }>();
  const calls: string[] = [];
  const keeper: BondKeeper = {
    load: async (phone) => {
      calls.push(`load ${phone}`);
      const k = kept.get(phone);
      return k && { bondId: k.bondId.slice(), linkKey: k.linkKey.slice() };
    },
    save: async (phone, bond) => {
      calls.push(`save ${phone}`);
      kept.set(phone, { bondId: bond.bondId.slice(), linkKey: bond.linkKey.slice() });
    },
    drop: async (phone, bondId) => {
      calls.push(`drop ${phone} ${bondIdHex(bondId)}`);
      const k = kept.get(phone);
      if (k && bondIdHex(k.bondId) === bondIdHex(bondId)) kept.delete(phone);
    },
  };
  return { keeper, kept, calls };
}

describe("the PC's bonds with a keeper (a bond outlives the process)", () => {
  test("a later process's cache finds the kept bond and resumes with no code", async () => {
    const p = await phone();
    const { keeper, kept } = mapKeeper();
    const first = await use(
      await PcCardLink.connect("127.0.0.1", p.port, { pairingCode: CODE, bonds: new BondCache({ keeper }) }),
    );
    expect(first.mode).toBe("paired");
    const copy = kept.get(p.address)!;
    expect(copy.linkKey).toHaveLength(32);
    expect(copy.linkKey.some((b) => b !== 0)).toBe(true);
    expect([...p.bonds.keys()]).toEqual([bondIdHex(copy.bondId)]);
    // a new cache stands for the next run of the program
    const next = await use(
      await PcCardLink.connect("127.0.0.1", p.port, { bonds: new BondCache({ keeper }) }),
    );
    expect(next.mode).toBe("resumed");
    expect({ pairings: p.pairings, resumptions: p.resumptions }).toEqual({ pairings: 1, resumptions: 1 });
  });

  test("the bytes a keeper loads are wiped once imported", async () => {
    const p = await phone();
    const { keeper } = mapKeeper();
    await use(
      await PcCardLink.connect("127.0.0.1", p.port, { pairingCode: CODE, bonds: new BondCache({ keeper }) }),
    );
    let loaded: Uint8Array | undefined;
    const watching: BondKeeper = {
      ...keeper,
      load: async (phone) => {
        const bond = await keeper.load(phone);
        loaded = bond?.linkKey;
        return bond;
      },
    };
    const bond = await new BondCache({ keeper: watching }).recall(p.address, nodeProvider());
    expect(bond).toBeDefined();
    expect(loaded).toEqual(new Uint8Array(32));
  });

  test("a look in the keeper started early is the one the connection waits for: one load", async () => {
    const p = await phone();
    const { keeper, calls } = mapKeeper();
    await use(
      await PcCardLink.connect("127.0.0.1", p.port, { pairingCode: CODE, bonds: new BondCache({ keeper }) }),
    );
    calls.length = 0;
    const bonds = new BondCache({ keeper });
    const early = bonds.recall(p.address, defaultProvider);
    const link = await use(await PcCardLink.connect("127.0.0.1", p.port, { bonds }));
    expect(link.mode).toBe("resumed");
    expect(await early).toBe(bonds.get(p.address));
    expect(calls).toEqual([`load ${p.address}`]);
  });

  test("a bond the phone revoked is dropped from the keeper too; with the code the new bond is kept", async () => {
    const p = await phone();
    const { keeper, kept, calls } = mapKeeper();
    await use(
      await PcCardLink.connect("127.0.0.1", p.port, { pairingCode: CODE, bonds: new BondCache({ keeper }) }),
    );
    const old = bondIdHex(kept.get(p.address)!.bondId);
    p.bonds.clear();
    const e = await failure(PcCardLink.connect("127.0.0.1", p.port, { bonds: new BondCache({ keeper }) }));
    expect(e.kind).toBe("unbonded");
    expect(calls).toContain(`drop ${p.address} ${old}`);
    expect(kept.has(p.address)).toBe(false);
    const again = await use(
      await PcCardLink.connect("127.0.0.1", p.port, { pairingCode: CODE, bonds: new BondCache({ keeper }) }),
    );
    expect(again.mode).toBe("paired");
    expect(bondIdHex(kept.get(p.address)!.bondId)).not.toBe(old);
  });

  test("a kept bond of the wrong shape is dropped, not used: the PC pairs with the code", async () => {
    const p = await phone();
    const { keeper, kept, calls } = mapKeeper();
    kept.set(p.address, { bondId: new Uint8Array(16).fill(7), linkKey: new Uint8Array(31).fill(1) });
    const link = await use(
      await PcCardLink.connect("127.0.0.1", p.port, { pairingCode: CODE, bonds: new BondCache({ keeper }) }),
    );
    expect(link.mode).toBe("paired");
    expect(calls).toContain(`drop ${p.address} ${"07".repeat(16)}`);
    expect(p.resumptions).toBe(0);
    expect(kept.get(p.address)!.linkKey).toHaveLength(32);
  });

  test("a keeper that fails costs only the pairing: the purchase's link still opens", async () => {
    const p = await phone();
    const broken: BondKeeper = {
      load: () => Promise.reject(new Error("no keyring")),
      save: () => Promise.reject(new Error("no keyring")),
      drop: () => Promise.reject(new Error("no keyring")),
    };
    const bonds = new BondCache({ keeper: broken });
    expect(
      (await use(await PcCardLink.connect("127.0.0.1", p.port, { pairingCode: CODE, bonds }))).mode,
    ).toBe("paired");
    // the bond is still held in memory
    expect((await use(await PcCardLink.connect("127.0.0.1", p.port, { bonds }))).mode).toBe("resumed");
    p.bonds.clear();
    expect((await failure(PcCardLink.connect("127.0.0.1", p.port, { bonds }))).kind).toBe("unbonded");
  });
});

describe("BondCache", () => {
  const bond = (n: number) => ({
    bondId: Uint8Array.of(n, ...new Uint8Array(15)),
    linkKey: {} as CryptoKey,
    provider: nodeProvider(),
  });

  test("remembers per phone, forgets the least recently used beyond its limit", () => {
    const c = new BondCache({ maxPhones: 2 });
    c.remember("a:1", bond(1));
    c.remember("b:1", bond(2));
    expect(c.get("a:1")?.bondId[0]).toBe(1); // a is now the most recent
    c.remember("c:1", bond(3));
    expect(c.get("b:1")).toBeUndefined();
    expect(c.get("a:1")).toBeDefined();
    expect(c.size).toBe(2);
    expect(() => new BondCache({ maxPhones: 0 })).toThrow(RangeError);
  });

  test("forget with a bond id leaves a newer bond alone", () => {
    const c = new BondCache();
    c.remember("a:1", bond(1));
    c.forget("a:1", bond(9).bondId);
    expect(c.get("a:1")).toBeDefined();
    c.forget("a:1", bond(1).bondId);
    expect(c.get("a:1")).toBeUndefined();
    c.remember("a:1", bond(1));
    c.clear();
    expect(c.size).toBe(0);
  });
});
