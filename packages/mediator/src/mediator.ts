/**
 * The mediator's purchase (patent steps S32-S56 as seen from the PC): it relays the card's SET
 * messages to the merchant and the merchant's answers to the card, and reports the outcome. It
 * holds personal data only in memory and only as long as needed: the PIN is overwritten right
 * after VERIFY_PIN, the PAN never reaches the PC (it travels inside the card's PI envelope), and
 * nothing is written to disk. Every network wait has a timeout, so a purchase always ends.
 *
 * `runPurchase` never throws for a protocol, card or network problem: it returns an Outcome whose
 * `outcome` says what happened ("refused" or "failed" with a reason). The CLI and the lab use it.
 */
import {
  encodeCardData,
  INS,
  type Initiation,
  SetError,
  type schema,
  setProfileOf,
  utf8,
} from "@setlab/protocol";
import { type BondCache, CardTransportError, PcCardLink } from "@setlab/protocol/card-link";
import { type Logger, postSet, TransportError } from "@setlab/runtime";
import {
  completionOf,
  expectOk,
  type PResAnswer,
  PurchaseStop,
  readPInitResAnswer,
  readPResAnswer,
  readSelect,
} from "./cardAnswers";
import { relayEmbodiment1 } from "./embodiment1Exchange";
import { messageName, readMerchantAnswer } from "./merchantAnswer";

export type OutcomeKind =
  | "approved"
  | "partiallyApproved"
  | "declined"
  | "orderReceived"
  | "refused"
  | "failed";

export type Party = "card" | "mediator" | "merchant";

/** One hop of the purchase, for a trace. Sizes only: never message bytes. */
export interface Step {
  /** The patent step (S32, S33, ...) or the card command for the preliminaries. */
  readonly step: string;
  readonly from: Party;
  readonly to: Party;
  /** The SET message (PInitReq, PReq, ...) or card command (SELECT, VERIFY_PIN). */
  readonly message: string;
  /** Size of what travelled, in bytes. */
  readonly bytes?: number;
  readonly detail?: string;
}

export interface Outcome {
  readonly outcome: OutcomeKind;
  /** The transaction's XID, hex, once the merchant assigned one. */
  readonly xid?: string;
  /** What the card read in the PRes. SET gives the cardholder no AuthCode: it stays between merchant and gateway. */
  readonly completionCode?: string;
  /** The authorized amount when the PRes states one, else the purchase amount. */
  readonly amount?: schema.CurrencyAmount | unknown;
  readonly brand?: string;
  readonly merchant?: { readonly name?: string; readonly merID?: string };
  /** Why the purchase was refused or failed, or the PRes's error: one line, no secrets. */
  readonly reason?: string;
  readonly steps: readonly Step[];
}

export interface CardAccess {
  /** An open link to the phone; left open for the caller. */
  readonly link?: PcCardLink;
  /** Or where the phone listens; the mediator opens and closes the link itself. */
  readonly host?: string;
  readonly port?: number;
  readonly cardId: string;
  /**
   * The PIN, ASCII digits. A Uint8Array is overwritten with zeros once VERIFY_PIN is answered
   * (so pass a buffer you own); a string is copied to such a buffer at once. Without a PIN no
   * VERIFY_PIN is sent, and the card refuses the purchase commands (6982).
   */
  readonly pin?: string | Uint8Array;
  /**
   * The pairing code the phone shows (6 digits), or a function asked for it once the phone has
   * answered (a prompt). Needed when the mediator opens the link itself and holds no bond.
   */
  readonly pairingCode?: string | (() => Promise<string>);
  /**
   * The PC's bonds (in memory, for the life of the caller's process): a bond with this phone is
   * resumed without the code; a pairing leaves one here for the next purchase.
   */
  readonly bonds?: BondCache;
}

export interface Timeouts {
  /** Each POST to the merchant (default 15 000 ms). */
  readonly httpMs?: number;
  /** Each card command (default 30 000 ms). */
  readonly cardMs?: number;
  /** Connecting to the phone (default 5 000 ms). */
  readonly connectMs?: number;
}

export interface PurchaseOptions {
  readonly initiation: Initiation;
  readonly card: CardAccess;
  /** The brand to pay with; default the card's own. */
  readonly brand?: string;
  /** "unsigned" asks for SET's unsigned PReq; the shop must allow it for the brand. */
  readonly form?: "dualSigned" | "unsigned";
  readonly runId?: string;
  readonly onStep?: (step: Step) => void;
  readonly logger?: Logger;
  readonly timeouts?: Timeouts;
}

/** The PIN as a buffer the mediator owns and wipes. Digits only: anything else is refused here. */
function pinBuffer(pin: string | Uint8Array): Uint8Array {
  const bytes = typeof pin === "string" ? new Uint8Array(Buffer.from(pin, "latin1")) : pin;
  let digits = bytes.length >= 4 && bytes.length <= 12;
  for (const b of bytes) if (b < 0x30 || b > 0x39) digits = false;
  if (!digits) {
    bytes.fill(0);
    throw new PurchaseStop("refused", "the PIN must be 4 to 12 digits");
  }
  return bytes;
}

export async function runPurchase(options: PurchaseOptions): Promise<Outcome> {
  const { initiation, card, logger } = options;
  const steps: Step[] = [];
  const timeouts = {
    // Longer than the merchant's own worst case with a slow gateway (three 5 s attempts), so the
    // merchant's clear "order received" reaches the card rather than a mediator timeout.
    httpMs: options.timeouts?.httpMs ?? 30_000,
    cardMs: options.timeouts?.cardMs ?? 30_000,
    connectMs: options.timeouts?.connectMs ?? 5_000,
  };
  const facts: {
    xid?: string;
    brand?: string;
    merchant?: { name?: string; merID?: string };
  } = {};
  const record = (step: Step) => {
    steps.push(step);
    logger?.info(
      {
        step: step.step,
        message: step.message,
        from: step.from,
        to: step.to,
        bytes: step.bytes,
        xid: facts.xid,
      },
      "step",
    );
    try {
      options.onStep?.(step);
    } catch {
      // A trace printer's failure does not stop a payment.
    }
  };
  const pin = card.pin === undefined ? undefined : card.pin;
  let pinBytes: Uint8Array | undefined;
  let link = card.link;
  const ownsLink = link === undefined;
  const finish = (outcome: Omit<Outcome, "steps">): Outcome => {
    const result: Outcome = { ...outcome, steps };
    logger?.info({ outcome: result.outcome, xid: result.xid, reason: result.reason }, "purchase ended");
    return result;
  };
  try {
    if (pin !== undefined) pinBytes = pinBuffer(pin);
    if (!link) {
      if (card.host === undefined || card.port === undefined)
        throw new PurchaseStop("failed", "no card link: give a link or the phone's host and port");
      link = await PcCardLink.connect(card.host, card.port, {
        connectTimeoutMs: timeouts.connectMs,
        timeoutMs: timeouts.cardMs,
        pairingCode: card.pairingCode,
        bonds: card.bonds,
        runId: options.runId,
      });
      const resumed = link.mode === "resumed";
      record({
        step: resumed ? "resume" : "pair",
        from: "mediator",
        to: "card",
        message: resumed ? "RESUME" : "PAIR",
        detail: resumed ? "secure card link resumed with its bond" : "secure card link paired",
      });
    }
    const transmit = async (ins: number, data: Uint8Array, sensitive = false) =>
      await link!.transmit({ ins, data }, { timeoutMs: timeouts.cardMs, sensitive });

    // SELECT: which card, and its brand.
    const selected = readSelect(
      expectOk(INS.SELECT, await transmit(INS.SELECT, utf8(card.cardId)), card.cardId),
    );
    record({
      step: "select",
      from: "mediator",
      to: "card",
      message: "SELECT",
      detail: `${selected.brand} card`,
    });
    const brand = options.brand ?? selected.brand;
    facts.brand = brand;
    if (!initiation.brands.includes(brand))
      throw new PurchaseStop(
        "refused",
        `the shop does not accept ${brand} (it accepts ${initiation.brands.join(", ")})`,
      );
    let form: "dualSigned" | "unsigned" = "dualSigned";
    if (options.form === "unsigned") {
      if (!initiation.unsignedAllowed.includes(brand))
        throw new PurchaseStop("refused", `the shop does not take unsigned purchases for ${brand}`);
      form = "unsigned";
    }

    // VERIFY_PIN, then drop the PIN.
    if (pinBytes) {
      let answer: Awaited<ReturnType<typeof transmit>>;
      try {
        answer = await transmit(INS.VERIFY_PIN, pinBytes, true);
      } finally {
        pinBytes.fill(0);
        pinBytes = undefined;
      }
      expectOk(INS.VERIFY_PIN, answer);
      record({ step: "pin", from: "mediator", to: "card", message: "VERIFY_PIN", detail: "PIN accepted" });
    }

    // The patent's first embodiment has its own messages, relayed the same way.
    if (initiation.profile === "embodiment-1")
      return finish(
        await relayEmbodiment1({
          initiation,
          transmit: (ins, data) => transmit(ins, data),
          record,
          runId: options.runId,
          httpMs: timeouts.httpMs,
          brand,
        }),
      );

    // S32: the card builds PInitReq; the mediator posts it to the merchant.
    const pInitReq = expectOk(
      INS.PINIT_REQUEST,
      await transmit(
        INS.PINIT_REQUEST,
        encodeCardData("PInitRequestInput", {
          brand,
          lidM: initiation.lidM,
          language: initiation.language,
        }),
      ),
    );
    record({ step: "S32", from: "card", to: "mediator", message: "PInitReq", bytes: pInitReq.length });
    record({ step: "S32", from: "mediator", to: "merchant", message: "PInitReq", bytes: pInitReq.length });
    const pInitRes = await post(initiation.setUrl, pInitReq, "PInitReq", options.runId, timeouts.httpMs);
    const pInitResKind = await readMerchantAnswer(pInitRes, "PInitReq");
    record({
      step: "S33",
      from: "merchant",
      to: "mediator",
      message: messageName(pInitResKind.type),
      bytes: pInitRes.length,
      detail: pInitResKind.error,
    });
    if (pInitResKind.type === "error")
      throw new PurchaseStop("refused", `the merchant refused the PInitReq: ${pInitResKind.error}`);
    if (pInitResKind.type !== "purchaseInitResponse")
      throw new PurchaseStop(
        "failed",
        `the merchant answered the PInitReq with ${messageName(pInitResKind.type)}`,
      );
    facts.xid = pInitResKind.xid;

    // S33-S35: the card checks PInitRes (chain, roles, thumbs, Chall-C, LID-C).
    const accepted = readPInitResAnswer(
      expectOk(INS.PINIT_RESPONSE, await transmit(INS.PINIT_RESPONSE, pInitRes)),
    );
    facts.xid ??= accepted.xid;
    facts.merchant = { name: accepted.merchantName, merID: accepted.merID };
    record({
      step: "S34-S35",
      from: "mediator",
      to: "card",
      message: "PInitRes",
      bytes: pInitRes.length,
      detail: `accepted: merchant ${accepted.merchantName ?? accepted.merID ?? "?"}${accepted.gateway ? `, gateway ${accepted.gateway}` : ""}`,
    });

    // S36-S37: the card builds the PReq (dual signature, PI for the gateway).
    const pReq = expectOk(
      INS.PURCHASE,
      await transmit(
        INS.PURCHASE,
        encodeCardData("PurchaseInput", {
          od: new Uint8Array(Buffer.from(initiation.od, "base64")),
          purchAmt: initiation.purchAmt,
          profile: setProfileOf(initiation.profile),
          form,
        }),
      ),
    );
    record({
      step: "S36-S37",
      from: "card",
      to: "mediator",
      message: "PReq",
      bytes: pReq.length,
      detail: form,
    });

    // S38-S54: the merchant verifies, asks the gateway, answers PRes (or a SET Error).
    record({ step: "S38-S41", from: "mediator", to: "merchant", message: "PReq", bytes: pReq.length });
    const pRes = await post(initiation.setUrl, pReq, "PReq", options.runId, timeouts.httpMs);
    const pResKind = await readMerchantAnswer(pRes, "PReq");
    record({
      step: "S52-S54",
      from: "merchant",
      to: "mediator",
      message: messageName(pResKind.type),
      bytes: pRes.length,
      detail: pResKind.error,
    });
    if (pResKind.type !== "purchaseResponse" && pResKind.type !== "error")
      throw new PurchaseStop("failed", `the merchant answered the PReq with ${messageName(pResKind.type)}`);
    facts.xid ??= pResKind.xid;

    // S55-S56: the card checks the PRes and reads the outcome.
    const answer: PResAnswer = readPResAnswer(
      expectOk(INS.PURCHASE_RESPONSE, await transmit(INS.PURCHASE_RESPONSE, pRes)),
    );
    record({
      step: "S55-S56",
      from: "mediator",
      to: "card",
      message: messageName(pResKind.type),
      bytes: pRes.length,
      detail: answer.error ?? answer.completionCode,
    });
    if (pResKind.type === "error" || answer.error !== undefined)
      throw new PurchaseStop(
        "refused",
        `the merchant refused the PReq: ${answer.error ?? pResKind.error ?? "SET Error"}`,
      );
    return finish({
      outcome: completionOf(answer, initiation.purchAmt),
      xid: facts.xid,
      completionCode: answer.completionCode,
      amount: answer.authAmt ?? initiation.purchAmt,
      brand,
      merchant: facts.merchant,
      reason: answer.error,
    });
  } catch (e) {
    const stop = asStop(e);
    logger?.info({ outcome: stop.kind, xid: facts.xid, reason: stop.message }, "purchase stopped");
    return finish({
      outcome: stop.kind,
      xid: facts.xid,
      brand: facts.brand,
      merchant: facts.merchant,
      amount: initiation.purchAmt,
      reason: stop.message,
    });
  } finally {
    pinBytes?.fill(0);
    if (ownsLink && link) await link.close();
  }
}

async function post(
  url: string,
  der: Uint8Array,
  what: string,
  runId: string | undefined,
  timeoutMs: number,
): Promise<Uint8Array> {
  try {
    return await postSet(url, der, { timeoutMs, runId });
  } catch (e) {
    if (e instanceof TransportError) throw new PurchaseStop("failed", `sending the ${what}: ${e.message}`);
    throw e;
  }
}

/** Any failure as a one-line stop; unexpected errors are faults, never stacks for the user. */
function asStop(e: unknown): PurchaseStop {
  if (e instanceof PurchaseStop) return e;
  if (e instanceof CardTransportError)
    return new PurchaseStop(e.kind === "pairing" || e.kind === "unbonded" ? "refused" : "failed", e.message);
  if (e instanceof SetError) return new PurchaseStop("failed", e.message);
  const message = e instanceof Error ? e.message : String(e);
  return new PurchaseStop("failed", `internal fault: ${message.split("\n")[0]}`);
}
