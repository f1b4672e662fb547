/**
 * The rogue PC's hold on the card: the card link to the phone, driven command by command the way
 * the mediator drives it, but with whatever data the adversary chooses. Answers are raw status
 * words and data; nothing here interprets a refusal as an error.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import {
  type CardDataValue,
  decodeCardData,
  decodeResponse,
  encodeCardData,
  encodeCommand,
  encodeFrame,
  FrameReader,
  INS,
  type PurchaseForm,
  type PurchaseProfile,
  utf8,
} from "@setlab/protocol";
import { PcCardLink } from "@setlab/protocol/card-link";
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

/** The SET ErrorCode a 6F00 answer carries (SetLabCard.asn SetCheckFailure), if any. */
export function setCodeOf(answer: CardAnswer): string | undefined {
  if (answer.data.length === 0) return undefined;
  try {
    return decodeCardData("SetCheckFailure", answer.data).errorCode;
  } catch {
    return undefined;
  }
}

/** The CompletionCode of a PURCHASE_RESPONSE answer (SetLabCard.asn PurchaseOutcome), if any. */
export function completionCodeOf(data: Uint8Array): string | undefined {
  try {
    const outcome = decodeCardData("PurchaseOutcome", data);
    return outcome.type === "pRes" ? outcome.value.completionCode : undefined;
  } catch {
    return undefined;
  }
}

/** `6F00 challengeMismatch`, `6985`, `9000`. */
export function describeCardAnswer(answer: CardAnswer): string {
  const code = answer.sw === SW_OK ? undefined : setCodeOf(answer);
  return code ? `${swHex(answer.sw)} ${code}` : swHex(answer.sw);
}

/** What the rogue PC needs of a card link: one command, one answer. */
interface Link {
  transmit(ins: number, p1: number, p2: number, data: Uint8Array): Promise<CardAnswer>;
  close(): Promise<void>;
}

/**
 * The card link without pairing: plain length-prefixed frames on TCP. A lab whose phone pairs
 * gives no answer to it; a lab without a pairing code (an older phone) is driven through it.
 */
export class PlainCardLink implements Link {
  private readonly reader = new FrameReader();
  private waiting?: { resolve: (a: CardAnswer) => void; reject: (e: Error) => void };
  private closed?: Error;

  private constructor(private readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => {
      try {
        for (const frame of this.reader.push(new Uint8Array(chunk))) {
          const w = this.waiting;
          this.waiting = undefined;
          const r = decodeResponse(frame);
          w?.resolve({ sw: r.sw, data: r.data });
        }
      } catch (e) {
        this.fail(e as Error);
      }
    });
    socket.on("error", (e) => this.fail(e));
    socket.on("close", () => this.fail(new Error("the card link closed")));
  }

  static connect(host: string, port: number): Promise<PlainCardLink> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ host, port });
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(new PlainCardLink(socket));
      });
    });
  }

  private fail(e: Error): void {
    this.closed ??= e;
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(e);
  }

  /** Raw bytes as one frame; resolves with the answer, rejects when the phone closes or is silent. */
  transmitFrame(payload: Uint8Array, timeoutMs = 10_000): Promise<CardAnswer> {
    if (this.closed) return Promise.reject(this.closed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        reject(new Error(`no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting = {
        resolve: (a) => {
          clearTimeout(timer);
          resolve(a);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.socket.write(encodeFrame(payload));
    });
  }

  transmit(ins: number, p1: number, p2: number, data: Uint8Array): Promise<CardAnswer> {
    return this.transmitFrame(encodeCommand({ ins, p1, p2, data }), 60_000);
  }

  async close(): Promise<void> {
    this.socket.destroy();
  }
}

/** The phone's stdout (its "screen"), where it shows a fresh pairing code per connection. */
export function phoneScreen(home: string): string | undefined {
  const file = path.join(home, "logs", "phone.out");
  return fs.existsSync(file) ? file : undefined;
}

export const linesOf = (file: string) => fs.readFileSync(file, "utf8").split("\n").length;

/**
 * The code the phone shows for this connection: the first pairing-code line after `skip` lines.
 * (The adversary here is the buyer's own PC: the buyer reads the code off the phone and types it.)
 */
export function readCodeFromScreen(file: string, skip: number): () => Promise<string> {
  return async () => {
    for (let i = 0; i < 200; i++) {
      const lines = fs
        .readFileSync(file, "utf8")
        .split("\n")
        .slice(skip - 1);
      for (const line of lines) {
        try {
          const v = JSON.parse(line) as { event?: string; code?: string };
          if (v.event === "pairing-code" && typeof v.code === "string") return v.code;
        } catch {
          // not a JSON line
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("the phone showed no pairing code");
  };
}

export class RogueCard {
  private constructor(private readonly link: Link) {}

  /** Open the card link to the lab's phone, paired with the lab's code when the lab has one. */
  static async connect(target: AttackTarget): Promise<RogueCard> {
    const url = new URL(target.phoneUrl);
    const screen = phoneScreen(target.home);
    if (target.pairingCode === undefined && !screen)
      return new RogueCard(await PlainCardLink.connect(url.hostname, Number(url.port)));
    const link = await PcCardLink.connect(url.hostname, Number(url.port), {
      connectTimeoutMs: 10_000,
      timeoutMs: 60_000,
      pairingCode: target.pairingCode ?? readCodeFromScreen(screen!, linesOf(screen!)),
    });
    return new RogueCard({
      transmit: async (ins, p1, p2, data) => {
        const r = await link.transmit({ ins, p1, p2, data });
        return { sw: r.sw, data: r.data };
      },
      close: () => link.close(),
    });
  }

  async command(ins: number, data: Uint8Array = new Uint8Array(0), p1 = 0): Promise<CardAnswer> {
    return this.link.transmit(ins, p1, 0, data);
  }

  /** A command that must succeed; anything else throws (the attack could not be set up). */
  async must(ins: number, data?: Uint8Array): Promise<Uint8Array> {
    const r = await this.command(ins, data);
    if (r.sw !== SW_OK)
      throw new Error(`card command ${ins.toString(16)} answered ${describeCardAnswer(r)} during set-up`);
    return r.data;
  }

  /** SELECT then VERIFY_PIN: a session ready for the purchase commands. Returns the card's brand. */
  async open(cardId: string, pin: string): Promise<CardDataValue<"SelectAnswer">> {
    const selected = decodeCardData("SelectAnswer", await this.must(INS.SELECT, utf8(cardId)));
    await this.must(INS.VERIFY_PIN, new Uint8Array(Buffer.from(pin, "latin1")));
    return selected;
  }

  pInitRequest(input: CardDataValue<"PInitRequestInput">): Promise<CardAnswer> {
    return this.command(INS.PINIT_REQUEST, encodeCardData("PInitRequestInput", input));
  }

  pInitResponse(pInitRes: Uint8Array): Promise<CardAnswer> {
    return this.command(INS.PINIT_RESPONSE, pInitRes);
  }

  /** PURCHASE with the order description as the initiation object carries it (base64). */
  purchase(input: {
    od: string;
    purchAmt: PurchAmt;
    profile: PurchaseProfile;
    form: PurchaseForm;
  }): Promise<CardAnswer> {
    const od = new Uint8Array(Buffer.from(input.od, "base64"));
    return this.command(INS.PURCHASE, encodeCardData("PurchaseInput", { ...input, od }));
  }

  purchaseResponse(pRes: Uint8Array): Promise<CardAnswer> {
    return this.command(INS.PURCHASE_RESPONSE, pRes);
  }

  async status(): Promise<CardDataValue<"CardStatus">> {
    return decodeCardData("CardStatus", await this.must(INS.GET_STATUS));
  }

  async close(): Promise<void> {
    await this.link.close();
  }
}
