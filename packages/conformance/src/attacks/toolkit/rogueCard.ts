/**
 * The rogue PC's hold on the card: the card link to the phone, driven command by command the way
 * the mediator drives it, but with whatever data the adversary chooses. Answers are raw status
 * words and data; nothing here interprets a refusal as an error.
 */
import { CardLink } from "@setlab/mediator";
import { INS } from "@setlab/protocol";
import type { AttackTarget } from "../attack";
import type { PurchAmt } from "./labHttp";

export interface CardAnswer {
  readonly sw: number;
  readonly data: Uint8Array;
}

/** A status word as the report writes it, e.g. `6F00`. */
export const swHex = (sw: number) => sw.toString(16).toUpperCase().padStart(4, "0");

export const SW_OK = 0x9000;
export const SW_OUT_OF_ORDER = 0x6985;
export const SW_SET_CHECK_FAILED = 0x6f00;

const utf8 = (s: string) => new Uint8Array(Buffer.from(s, "utf8"));
const json = (v: unknown) => utf8(JSON.stringify(v));

/** The SET ErrorCode a 6F00 answer carries, if any. */
export function setCodeOf(answer: CardAnswer): string | undefined {
  if (answer.data.length === 0) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(answer.data).toString("utf8")) as { code?: unknown };
    return typeof parsed.code === "string" ? parsed.code : undefined;
  } catch {
    return undefined;
  }
}

/** `6F00 challengeMismatch`, `6985`, `9000`. */
export function describeCardAnswer(answer: CardAnswer): string {
  const code = answer.sw === SW_OK ? undefined : setCodeOf(answer);
  return code ? `${swHex(answer.sw)} ${code}` : swHex(answer.sw);
}

export class RogueCard {
  private constructor(private readonly link: CardLink) {}

  /** Open the card link to the lab's phone (paired with the lab's code when the link is paired). */
  static async connect(target: AttackTarget): Promise<RogueCard> {
    const url = new URL(target.phoneUrl);
    const link = await CardLink.connect(url.hostname, Number(url.port), {
      connectTimeoutMs: 10_000,
      timeoutMs: 60_000,
    });
    return new RogueCard(link);
  }

  async command(ins: number, data: Uint8Array = new Uint8Array(0), p1 = 0): Promise<CardAnswer> {
    const r = await this.link.transmit(ins, p1, 0, data);
    return { sw: r.sw, data: r.data };
  }

  /** A command that must succeed; anything else throws (the attack could not be set up). */
  async must(ins: number, data?: Uint8Array): Promise<Uint8Array> {
    const r = await this.command(ins, data);
    if (r.sw !== SW_OK)
      throw new Error(`card command ${ins.toString(16)} answered ${describeCardAnswer(r)} during set-up`);
    return r.data;
  }

  /** SELECT then VERIFY_PIN: a session ready for the purchase commands. Returns the card's brand. */
  async open(cardId: string, pin: string): Promise<{ brand: string; bin: string; language: string }> {
    const selected = JSON.parse(Buffer.from(await this.must(INS.SELECT, utf8(cardId))).toString("utf8"));
    await this.must(INS.VERIFY_PIN, new Uint8Array(Buffer.from(pin, "latin1")));
    return selected as { brand: string; bin: string; language: string };
  }

  pInitRequest(input: { lidM?: string; language?: string; brand: string }): Promise<CardAnswer> {
    return this.command(INS.PINIT_REQUEST, json(input));
  }

  pInitResponse(pInitRes: Uint8Array): Promise<CardAnswer> {
    return this.command(INS.PINIT_RESPONSE, pInitRes);
  }

  purchase(input: {
    od: string;
    purchAmt: PurchAmt;
    profile: "set" | "hardened";
    form: "dualSigned" | "unsigned";
  }): Promise<CardAnswer> {
    return this.command(INS.PURCHASE, json(input));
  }

  purchaseResponse(pRes: Uint8Array): Promise<CardAnswer> {
    return this.command(INS.PURCHASE_RESPONSE, pRes);
  }

  async status(): Promise<Record<string, unknown>> {
    return JSON.parse(Buffer.from(await this.must(INS.GET_STATUS)).toString("utf8")) as Record<
      string,
      unknown
    >;
  }

  async close(): Promise<void> {
    await this.link.close();
  }
}
