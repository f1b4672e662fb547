/**
 * The card's command interface: the real CardApplet with a card personalized from the lab PKI,
 * fed random and mutated commands and random command sequences. Every answer is a status word
 * (never an exception, never a rejected promise); garbage never gives PIN tries back.
 */
import {
  CLA,
  decodeCardData,
  decodeResponse,
  encodeCardData,
  encodeCommand,
  INS,
  MAX_CARD_DATA,
  type PurchaseProfile,
  pinTriesLeft,
  SW,
  type schema,
  utf8,
} from "@setlab/protocol";
import type { CardSession } from "@setlab/wallet-card";
import fc from "fast-check";
import type { Corpus } from "../corpus";
import { byteInputs, randomBytes } from "../generators";
import { FuzzFailure, type FuzzTarget, hexPrefix, type Verdict } from "../harness";
import { CARD_ID, CARD_PIN, type World } from "../world";

const knownSw = new Set<number>(Object.values(SW));
const validSw = (sw: number) => knownSw.has(sw) || pinTriesLeft(sw) !== undefined;

type Step =
  | { raw: Uint8Array }
  | { ins: number; p1: number; data: Uint8Array; cla?: number; badLength?: boolean };

function encodeStep(s: Step): Uint8Array {
  if ("raw" in s) return s.raw;
  const c = encodeCommand({ ins: s.ins, p1: s.p1, data: s.data.subarray(0, MAX_CARD_DATA) });
  if (s.cla !== undefined) c[0] = s.cla;
  if (s.badLength) c[7] ^= 1;
  return c;
}

/** Whether a step is a VERIFY_PIN with the right PIN (the one thing that may restore tries). */
const isRightPin = (s: Step) => {
  // Judged on the bytes sent, so a raw corpus command that is a right VERIFY_PIN counts too.
  const b = encodeStep(s);
  const length = b.length >= 8 ? new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(4) : -1;
  return (
    b[0] === CLA &&
    b[1] === INS.VERIFY_PIN &&
    length === b.length - 8 &&
    Buffer.from(b.subarray(8)).equals(Buffer.from(CARD_PIN))
  );
};

function steps(corpus: Corpus): fc.Arbitrary<Step> {
  const c = corpus.capture;
  const init = JSON.parse(corpus.initiation) as {
    lidM: string;
    od: string;
    purchAmt: schema.CurrencyAmount;
    profile: PurchaseProfile;
  };
  const pInitRequest = encodeCardData("PInitRequestInput", {
    brand: "Visa",
    lidM: init.lidM,
    language: "en",
  });
  const purchase = encodeCardData("PurchaseInput", {
    od: new Uint8Array(Buffer.from(init.od, "base64")),
    purchAmt: init.purchAmt,
    profile: init.profile,
    form: "dualSigned",
  });
  const dataFor: Record<number, fc.Arbitrary<Uint8Array>> = {
    [INS.SELECT]: fc.oneof(
      fc.constant(utf8(CARD_ID)),
      randomBytes(40),
      fc.string({ maxLength: 30 }).map(utf8),
    ),
    [INS.VERIFY_PIN]: fc.oneof(
      { weight: 3, arbitrary: fc.constant(utf8(CARD_PIN)) },
      { weight: 1, arbitrary: fc.stringMatching(/^[0-9]{0,14}$/).map(utf8) },
      { weight: 2, arbitrary: randomBytes(20) },
    ),
    [INS.READ_CERTIFICATE]: randomBytes(8),
    [INS.PINIT_REQUEST]: byteInputs([pInitRequest]),
    [INS.PINIT_RESPONSE]: byteInputs([c.pInitRes, c.pRes]),
    [INS.PURCHASE]: byteInputs([purchase]),
    [INS.PURCHASE_RESPONSE]: byteInputs([c.pRes, c.pInitRes, ...corpus.messages.slice(-1)]),
    [INS.INQUIRY_REQUEST]: fc.oneof(
      fc.constant(encodeCardData("InquiryInput", {})),
      randomBytes(8).map((xid) =>
        encodeCardData("InquiryInput", { xid: new Uint8Array(20).fill(xid[0] ?? 0) }),
      ),
      randomBytes(24),
    ),
    [INS.INQUIRY_RESPONSE]: byteInputs([c.pRes, c.pInitRes, ...corpus.messages.slice(-1)]),
    [INS.GET_STATUS]: randomBytes(8),
  };
  const structured = fc.oneof(
    ...Object.entries(dataFor).map(([ins, data]) =>
      fc.record({
        ins: fc.constant(Number(ins)),
        p1: fc.oneof(
          { weight: 5, arbitrary: fc.constant(0) },
          { weight: 1, arbitrary: fc.nat({ max: 255 }) },
        ),
        data,
      }),
    ),
    fc.record({ ins: fc.nat({ max: 255 }), p1: fc.nat({ max: 255 }), data: randomBytes(64) }),
    fc.record({
      ins: fc.nat({ max: 255 }),
      p1: fc.constant(0),
      data: randomBytes(16),
      cla: fc.nat({ max: 255 }),
      badLength: fc.boolean(),
    }),
  );
  return fc.oneof(
    { weight: 8, arbitrary: structured as fc.Arbitrary<Step> },
    { weight: 1, arbitrary: byteInputs(c.commands).map((raw) => ({ raw })) },
  );
}

/** The valid opening of a purchase: SELECT, VERIFY_PIN, PINIT_REQUEST, PINIT_RESPONSE. */
function prefix(corpus: Corpus, depth: number): Step[] {
  const init = JSON.parse(corpus.initiation) as { lidM: string };
  const all: Step[] = [
    { ins: INS.SELECT, p1: 0, data: utf8(CARD_ID) },
    { ins: INS.VERIFY_PIN, p1: 0, data: utf8(CARD_PIN) },
    {
      ins: INS.PINIT_REQUEST,
      p1: 0,
      data: encodeCardData("PInitRequestInput", { brand: "Visa", lidM: init.lidM, language: "en" }),
    },
  ];
  return all.slice(0, depth);
}

async function transmit(
  session: CardSession,
  command: Uint8Array,
): Promise<{ sw: number; data: Uint8Array }> {
  let answer: Uint8Array;
  try {
    answer = await session.transmit(command);
  } catch (e) {
    throw new FuzzFailure("exception", `transmit threw: ${(e as Error).stack ?? e}`);
  }
  if (!(answer instanceof Uint8Array) || answer.length < 2)
    throw new FuzzFailure("invariant", "an answer without a status word");
  const r = decodeResponse(answer);
  if (!validSw(r.sw))
    throw new FuzzFailure("invariant", `status word ${r.sw.toString(16)} is not in the command set`);
  if (r.sw === SW.SET_CHECK_FAILED) {
    try {
      decodeCardData("SetCheckFailure", r.data);
    } catch {
      throw new FuzzFailure("invariant", "6F00 without a SetCheckFailure");
    }
  }
  return r;
}

async function status(world: World): Promise<{ pinTriesLeft: number; locked: boolean }> {
  const s = world.applet.openSession();
  await transmit(s, encodeCommand({ ins: INS.SELECT, data: utf8(CARD_ID) }));
  const r = await transmit(s, encodeCommand({ ins: INS.GET_STATUS }));
  if (r.sw !== SW.OK) throw new FuzzFailure("invariant", `GET_STATUS answered ${r.sw.toString(16)}`);
  return decodeCardData("CardStatus", r.data);
}

export function cardTargets(world: World, corpus: Corpus): FuzzTarget<unknown>[] {
  const sequences: FuzzTarget<{ depth: number; steps: Step[] }> = {
    name: "card/command sequences",
    family: "card",
    defaultRuns: {
      runs: 20_000,
      why: "inputs reach PIN checks, signature verification and the card's state file on disk",
    },
    inputs: fc.record({
      depth: fc.nat({ max: 3 }),
      steps: fc.array(steps(corpus), { minLength: 1, maxLength: 6 }),
    }),
    async run({ depth, steps: body }): Promise<Verdict> {
      const before = await status(world);
      const session = world.applet.openSession();
      const all = [...prefix(corpus, depth), ...body];
      let ok = 0;
      for (const step of all) if ((await transmit(session, encodeStep(step))).sw === SW.OK) ok++;
      const after = await status(world);
      if (after.pinTriesLeft > before.pinTriesLeft && !all.some(isRightPin))
        throw new FuzzFailure(
          "invariant",
          `PIN tries went from ${before.pinTriesLeft} to ${after.pinTriesLeft} without the right PIN`,
        );
      if (before.locked && !after.locked) throw new FuzzFailure("invariant", "a blocked PIN was unblocked");
      if (after.locked || after.pinTriesLeft <= 1) await world.resetCard();
      return ok === all.length ? "accepted" : "rejected";
    },
    show: ({ depth, steps: s }) =>
      `prefix ${depth}, ${s.map((x) => hexPrefix(encodeStep(x), 16)).join(" | ")}`,
    healthCheck: async () => {
      await world.resetCard();
      const c = await world.purchase();
      if (c.completionCode !== "authorizationPerformed")
        throw new Error("a valid purchase failed after the run");
    },
  };
  const single: FuzzTarget<Uint8Array> = {
    name: "card/raw commands",
    family: "card",
    inputs: fc.oneof(
      byteInputs(corpus.capture.commands),
      randomBytes(32).map((b) => Uint8Array.of(CLA, ...b)),
    ),
    async run(b) {
      const r = await transmit(world.applet.openSession(), b);
      return r.sw === SW.OK ? "accepted" : "rejected";
    },
  };
  return [single, sequences] as FuzzTarget<unknown>[];
}
