/**
 * The card applet: a state machine over the card command set (docs/purchase-flow.md, "Card
 * link"). Pure core: crypto, the clock, the cardholder's confirmation and the card's EEPROM come
 * in through `CardEnvironment`. `CardSession.transmit` answers every byte string with a response
 * and never throws.
 */
import {
  bciSequenceNumOf,
  CardDataError,
  type CardDataValue,
  CardLinkError,
  type CryptoProvider,
  decodeCardData,
  decodeCommand,
  describeInstallRecur,
  encodeCardData,
  encodeDer,
  encodeResponse,
  equalConstantTime,
  INS,
  RemoteSetError,
  receivePInitRes,
  receivePRes,
  SetError,
  SW,
  schema,
  toHex,
  ValidatedChainCache,
  wholeSeconds,
  wrapMessage,
  wrongPin,
} from "@setlab/protocol";
import { binOf, type Card, type CardState, type TransactionSummary } from "./cardData";
import { readPInitRequestInput, readPurchaseInput, samePurchase, termsOf } from "./commandInput";
import { type ConfirmationPolicy, commonNameOf } from "./confirmation";
import { answerE1InfoReq, type E1Pending, isBrandRefusal, readE1Result } from "./embodiment1";
import { answerE2Hello, confirmE2, type E2Pending, openE2SessionKey } from "./embodiment2";
import { checkGatewayPinned } from "./gatewayPins";
import { buildCardInqReq, type InquiryPending, readInqRes } from "./inquiry";
import { PIN_FORMAT, pinDigest } from "./pin";
import { rememberedPurchase, rememberPurchase, withCompletion } from "./purchaseMemory";
import { buildCardPReq } from "./purchaseRequest";
import type { Completed, Initialized, PurchaseOutcome, PurchaseSent, Transaction } from "./transaction";

type ErrorCode = SetError["code"];

export interface CardEnvironment {
  /** The card's own crypto implementation (the lab runs @peculiar/webcrypto here). */
  readonly p: CryptoProvider;
  readonly confirm: ConfirmationPolicy;
  readonly now?: () => Date;
  /** SWIdent in PIHead and the MessageHeaders the card writes. */
  readonly swIdent?: string;
  /**
   * Told of each command's outcome, without its data (for the phone's log), with the link the
   * session was opened for (`openSession`).
   */
  readonly onCommand?: (event: CommandEvent, link?: Readonly<object>) => void;
  /**
   * Told once when the connection a session served has closed: every command's outcome in one
   * summary (the phone logs this line; `onCommand` is for a closer look).
   */
  readonly onSessionEnd?: (summary: SessionSummary, link?: Readonly<object>) => void;
}

/** A card session's commands, in order, as "INS SW" (and the SET ErrorCode after a 6F00). */
export interface SessionSummary {
  readonly cardId?: string;
  readonly commands: readonly string[];
  /** Commands beyond the first `MAX_SUMMARIZED`, counted only. */
  readonly more?: number;
}

/** A session summary lists this many commands at most (a purchase runs about five). */
export const MAX_SUMMARIZED = 32;

export interface CommandEvent {
  readonly cardId?: string;
  readonly ins: string;
  readonly sw: string;
  /** For 6F00: the SET ErrorCode. */
  readonly code?: string;
}

export const cardSwIdent = "SETLab-card/0.1";

/** A response the handler returns: data and status word (and for 6F00, the SET ErrorCode). */
interface Answer {
  readonly data?: Uint8Array;
  readonly sw: number;
  readonly code?: string;
}

const utf8 = new TextEncoder();
const ok = (data?: Uint8Array): Answer => ({ data, sw: SW.OK });
const status = (sw: number, data?: Uint8Array): Answer => ({ sw, data });

/** The SET check that failed, as 6F00 data. The message never carries card data. */
function setFailure(e: SetError): Answer {
  const text = [...e.message.replace(/\d{12,19}/g, "[digits]")].slice(0, 300).join("") || e.code;
  return {
    sw: SW.SET_CHECK_FAILED,
    data: encodeCardData("SetCheckFailure", { errorCode: e.code, message: text }),
    code: e.code,
  };
}

/** The cards a phone holds, by card id. */
export class CardApplet {
  private readonly cards = new Map<string, Card>();
  /**
   * Merchant and gateway chains the card already validated, keyed by the whole certificate DER
   * (SET's thumbs serve the same purpose): the next purchase at the same shop skips the chain work,
   * never the signature check. Held in memory only.
   */
  readonly chainCache: ValidatedChainCache;

  constructor(
    cards: readonly Card[],
    readonly env: CardEnvironment,
  ) {
    for (const c of cards) this.cards.set(c.data.cardId, c);
    this.chainCache = new ValidatedChainCache();
  }

  card(cardId: string): Card | undefined {
    return this.cards.get(cardId);
  }

  get cardIds(): string[] {
    return [...this.cards.keys()];
  }

  /** `link`: the connection the session serves, as its host describes it, for `onCommand`. */
  openSession(link?: Readonly<object>): CardSession {
    return new CardSession(this, link);
  }
}

/** One card-link connection: the selected card, whether its PIN was verified, the transaction. */
export class CardSession {
  private selected?: Card;
  private pinVerified = false;
  private tx?: Transaction;
  /** An embodiment 1 exchange the card answered, awaiting the merchant's result. */
  private e1?: E1Pending;
  /** An embodiment 2 exchange between E2_HELLO and E2_CONFIRM. */
  private e2?: E2Pending;
  /** An InqReq handed out, waiting for its InqRes. */
  private inquiry?: InquiryPending;
  /** Commands run one at a time, in the order they arrived. */
  private queue: Promise<unknown> = Promise.resolve();
  /** For the session's summary: "INS SW" per command, the first MAX_SUMMARIZED. */
  private readonly summarized: string[] = [];
  private unsummarized = 0;
  private ended = false;
  /** Commands taken and not yet answered (the PC may close the link while one runs). */
  private inFlight = 0;

  constructor(
    private readonly applet: CardApplet,
    private readonly link?: Readonly<object>,
  ) {}

  private get env(): CardEnvironment {
    return this.applet.env;
  }

  private now(): Date {
    return this.env.now?.() ?? new Date();
  }

  private get swIdent(): string {
    return this.env.swIdent ?? cardSwIdent;
  }

  /** One command in, one response out (both framed by the caller). Never throws. */
  transmit(command: Uint8Array): Promise<Uint8Array> {
    this.inFlight++;
    const run = this.queue.then(() => this.handle(command)).finally(() => this.inFlight--);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async handle(bytes: Uint8Array): Promise<Uint8Array> {
    let ins = "?";
    let answer: Answer;
    try {
      const command = decodeCommand(bytes);
      ins = insLabel(command.ins);
      answer = await this.dispatch(command.ins, command.p1, command.data);
    } catch (e) {
      if (e instanceof CardLinkError || e instanceof CardDataError) answer = status(e.sw);
      else if (e instanceof SetError) answer = setFailure(e);
      else answer = setFailure(new SetError("unspecifiedFailure", "the card could not complete the command"));
    }
    const code = answer.code;
    const sw = answer.sw.toString(16).toUpperCase().padStart(4, "0");
    if (this.summarized.length < MAX_SUMMARIZED)
      this.summarized.push(code ? `${ins} ${sw} ${code}` : `${ins} ${sw}`);
    else this.unsummarized++;
    try {
      this.env.onCommand?.(
        {
          cardId: this.selected?.data.cardId,
          ins,
          sw,
          ...(code ? { code } : {}),
        },
        this.link,
      );
    } catch {
      // a logging failure never changes the card's answer
    }
    return encodeResponse(answer);
  }

  /**
   * The connection closed: the summary of its commands, once; at once when no command is still
   * running, else when the last one has answered (so it is in the summary too).
   */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.inFlight === 0) this.summarize();
    else void this.queue.then(() => this.summarize());
  }

  private summarize(): void {
    try {
      this.env.onSessionEnd?.(
        {
          ...(this.selected ? { cardId: this.selected.data.cardId } : {}),
          commands: [...this.summarized],
          ...(this.unsummarized > 0 ? { more: this.unsummarized } : {}),
        },
        this.link,
      );
    } catch {
      // a logging failure changes nothing on the card
    }
  }

  private async dispatch(ins: number, p1: number, data: Uint8Array): Promise<Answer> {
    switch (ins) {
      case INS.SELECT:
        return this.select(data);
      case INS.VERIFY_PIN:
        return this.verifyPin(this.need(), data);
      case INS.READ_CERTIFICATE:
        return this.readCertificate(this.need(), p1);
      case INS.GET_STATUS:
        return this.status(this.need());
      case INS.PINIT_REQUEST:
        return this.pInitRequest(this.needPin(), data);
      case INS.PINIT_RESPONSE:
        return this.pInitResponse(this.needPin(), data);
      case INS.PURCHASE:
        return this.purchase(this.needPin(), data);
      case INS.PURCHASE_RESPONSE:
        return this.purchaseResponse(this.needPin(), data);
      case INS.INQUIRY_REQUEST:
        return this.inquiryRequest(this.needPin(), data);
      case INS.INQUIRY_RESPONSE:
        return this.inquiryResponse(this.needPin(), data);
      case INS.E1_CARD_INFO:
        return this.e1CardInfo(this.needPin(), data);
      case INS.E1_RESULT:
        return this.e1Result(this.needPin(), data);
      case INS.E2_HELLO:
        return this.e2Hello(this.needPin(), data);
      case INS.E2_SESSION_KEY:
        return this.e2SessionKey(this.needPin(), data);
      case INS.E2_CONFIRM:
        return this.e2Confirm(this.needPin());
      default:
        return status(SW.UNKNOWN_INS);
    }
  }

  /** The selected card; no card selected yet is a command out of order. */
  private need(): Card {
    if (!this.selected) throw new CardLinkError(SW.OUT_OF_ORDER, "no card selected");
    return this.selected;
  }

  private needPin(): Card {
    const card = this.need();
    if (card.state.locked) throw new CardLinkError(SW.PIN_BLOCKED, "PIN blocked");
    if (!this.pinVerified) throw new CardLinkError(SW.PIN_NOT_VERIFIED, "PIN not verified");
    return card;
  }

  private async save(card: Card, state: CardState): Promise<void> {
    card.state = state;
    await card.persist(state);
  }

  // ---- SELECT, VERIFY_PIN, READ_CERTIFICATE, GET_STATUS

  private select(data: Uint8Array): Answer {
    let id: string;
    try {
      id = new TextDecoder("utf-8", { fatal: true }).decode(data);
    } catch {
      return status(SW.BAD_DATA);
    }
    const card = this.applet.card(id);
    // A new SELECT ends whatever the session held, even when the card is unknown.
    this.selected = undefined;
    this.pinVerified = false;
    this.tx = undefined;
    this.e1 = undefined;
    this.e2 = undefined;
    this.inquiry = undefined;
    if (!card) return status(SW.NO_SUCH_CARD);
    this.selected = card;
    return ok(
      encodeCardData("SelectAnswer", {
        brand: card.data.brand,
        bin: binOf(card.data.pan),
        language: card.data.language,
      }),
    );
  }

  private async verifyPin(card: Card, data: Uint8Array): Promise<Answer> {
    if (card.state.locked) return status(SW.PIN_BLOCKED);
    const pin = String.fromCharCode(...data.subarray(0, 64));
    if (data.length > 12 || !PIN_FORMAT.test(pin)) return status(SW.BAD_DATA);
    const digest = await pinDigest(this.env.p, card.data.pinSalt, pin);
    if (equalConstantTime(digest, card.data.pinDigest)) {
      if (card.state.pinTriesLeft !== 3) await this.save(card, { ...card.state, pinTriesLeft: 3 });
      this.pinVerified = true;
      return ok();
    }
    this.pinVerified = false;
    const left = Math.max(0, card.state.pinTriesLeft - 1);
    await this.save(card, { ...card.state, pinTriesLeft: left, locked: left === 0 });
    return status(left === 0 ? SW.PIN_BLOCKED : wrongPin(left));
  }

  private readCertificate(card: Card, p1: number): Answer {
    const all = [card.data.certificate, ...card.data.chain, card.data.root];
    const der = all[p1];
    return der ? ok(der) : status(SW.BAD_DATA);
  }

  private status(card: Card): Answer {
    const current = this.tx && this.tx.phase !== "pInitSent" ? summaryOf(this.tx, this.now()) : undefined;
    const transaction = current && wireSummary(current);
    const last = card.state.lastTransaction && wireSummary(card.state.lastTransaction);
    return ok(
      encodeCardData("CardStatus", {
        pinTriesLeft: card.state.pinTriesLeft,
        locked: card.state.locked,
        ...(transaction ? { transaction } : {}),
        ...(last ? { lastTransaction: last } : {}),
      }),
    );
  }

  // ---- S32: PINIT_REQUEST

  private pInitRequest(card: Card, data: Uint8Array): Answer {
    const input = readPInitRequestInput(data);
    if (input.brand !== card.data.brand) return status(SW.BAD_DATA);
    const { p } = this.env;
    const tx = {
      phase: "pInitSent" as const,
      rrpid: p.random(20),
      chall_C: p.random(20),
      lid_C: p.random(16),
      ...(input.lidM ? { lid_M: utf8.encode(input.lidM) } : {}),
      brand: card.data.brand,
      language: input.language ?? card.data.language,
    };
    const pInitReq: schema.PInitReq = {
      rrpid: tx.rrpid,
      language: tx.language,
      localID_C: tx.lid_C,
      ...(tx.lid_M ? { localID_M: tx.lid_M } : {}),
      chall_C: tx.chall_C,
      brandID: tx.brand,
      bin: binOf(card.data.pan),
    };
    const message = wrapMessage(
      { type: "purchaseInitRequest", value: pInitReq },
      { rrpid: tx.rrpid, lid_C: tx.lid_C, lid_M: tx.lid_M },
      { date: this.now(), swIdent: this.swIdent },
    );
    this.tx = tx;
    return ok(message);
  }

  // ---- S33-S35: PINIT_RESPONSE

  private async pInitResponse(card: Card, data: Uint8Array): Promise<Answer> {
    const tx = this.tx;
    if (tx?.phase !== "pInitSent") return status(SW.OUT_OF_ORDER);
    // Whatever happens next, this PInitReq has had its answer: a failed check ends the transaction.
    this.tx = undefined;
    const remembered = card.state.bciSequence?.[tx.brand];
    let received: Awaited<ReturnType<typeof receivePInitRes>>;
    try {
      received = await receivePInitRes(
        this.env.p,
        data,
        {
          rrpid: tx.rrpid,
          chall_C: tx.chall_C,
          lid_C: tx.lid_C,
          ...(tx.lid_M ? { lid_M: tx.lid_M } : {}),
          brandID: tx.brand,
          ...(remembered === undefined ? {} : { bciSequenceNum: remembered }),
        },
        {
          trust: { pinnedRoot: card.data.root, at: this.now(), chainCache: this.applet.chainCache },
          requireRevocation: true,
        },
      );
    } catch (e) {
      if (e instanceof RemoteSetError)
        throw new SetError(e.code, "the merchant answered PInitReq with a SET Error");
      throw e;
    }
    const { data: resData, merchant, gatewayKex, merchantData, bciSequenceNum } = received;
    const names = merchantData.merNameSeq;
    const merchantName = (names.find((n) => n.language === tx.language) ?? names[0]).name;
    const initialized: Initialized = {
      phase: "initialized",
      transIDs: resData.transIDs,
      chall_C: tx.chall_C,
      chall_M: resData.chall_M,
      merchant,
      merID: merchantData.merID,
      gatewayKex,
      merchantName,
    };
    this.tx = initialized;
    // Only a PInitRes accepted whole moves the card's BCI memory, on disk before the card answers.
    // Without a newer BCI nothing here needs the disk: the transaction just opened has signed
    // nothing, a crash loses only the session it belongs to, and PURCHASE's write records it.
    const newer = bciSequenceNum !== undefined && (remembered === undefined || bciSequenceNum > remembered);
    await this.remember(
      card,
      initialized,
      newer ? { bciSequence: { ...card.state.bciSequence, [tx.brand]: bciSequenceNum } } : {},
      newer,
    );
    return ok(
      encodeCardData("PInitResAnswer", {
        merchantName,
        merID: merchantData.merID,
        gateway: gatewayKex.subject,
        xid: resData.transIDs.xid,
      }),
    );
  }

  // ---- S36-S37: PURCHASE

  private async purchase(card: Card, data: Uint8Array): Promise<Answer> {
    const tx = this.tx;
    const input = readPurchaseInput(data);
    if (tx?.phase === "purchaseSent") {
      // The same command again (a lost response) gets the same signed bytes; anything else is refused.
      return samePurchase(tx.input, input) ? ok(tx.pReqMessage) : status(SW.OUT_OF_ORDER);
    }
    if (tx?.phase !== "initialized") return status(SW.OUT_OF_ORDER);
    // The brand's policy, as the gateway certificate the card validated states it: no unsigned
    // PReq where cardholder certificates are required. The transaction stays open for the signed form.
    if (input.form === "unsigned" && tx.gatewayKex.cardCertRequired === true)
      throw new SetError(
        "signatureRequired",
        "the brand requires cardholder certificates (the gateway certificate's cardCertRequired)",
        "PURCHASE.form",
      );
    // The card's own policy chooses the profile, not the merchant's initiation object nor the PC's
    // command: a card personalized with gateway pins for its brand uses them on every purchase, so
    // a rogue shop that asks for `set` cannot divert the PAN to an accomplice gateway. Only a card
    // without pins follows the command's profile.
    const profile = card.data.gatewayThumbs.length > 0 ? "hardened" : input.profile;
    if (profile === "hardened") {
      // PInitRes arrived before the profile did: the pin is checked here, before the cardholder is
      // asked and before any PAN is encrypted. A gateway that is not pinned ends the transaction.
      try {
        await checkGatewayPinned(this.env.p, card.data.gatewayThumbs, tx.gatewayKex);
      } catch (e) {
        this.tx = undefined;
        throw e;
      }
    }
    const approved = await this.confirm(card, tx, input);
    if (!approved) {
      this.tx = { ...tx, phase: "declined" };
      await this.remember(card, this.tx);
      return status(SW.OUT_OF_ORDER, encodeCardData("OutOfOrderReason", "cardholderDeclined"));
    }
    const built = await buildCardPReq(this.env.p, card, tx, { ...input, profile }, this.swIdent);
    const pReqMessage = wrapMessage(
      { type: "purchaseRequest", value: built.pReq },
      { rrpid: built.rrpid, lid_C: tx.transIDs.lid_C, lid_M: tx.transIDs.lid_M, xid: tx.transIDs.xid },
      { date: this.now(), swIdent: this.swIdent },
    );
    const sent: PurchaseSent = { ...tx, phase: "purchaseSent", input, pReqRrpid: built.rrpid, pReqMessage };
    this.tx = sent;
    // Remembered with the signed PReq, in the same write: the card can ask about it from now on.
    const memory = rememberPurchase(card.state, sent, input.purchAmt, input.form !== "unsigned", this.now());
    await this.remember(card, sent, { purchases: memory.purchases });
    return ok(pReqMessage);
  }

  private async confirm(card: Card, tx: Initialized, input: ReturnType<typeof readPurchaseInput>) {
    try {
      return (
        (await this.env.confirm({
          cardId: card.data.cardId,
          merchantName: tx.merchantName,
          merID: tx.merID,
          purchAmt: input.purchAmt,
          gateway: commonNameOf(tx.gatewayKex),
          description: new TextDecoder().decode(input.od),
          ...termsShown(termsOf(input)),
        })) === true
      );
    } catch {
      return false;
    }
  }

  // ---- S55-S56: PURCHASE_RESPONSE

  private async purchaseResponse(card: Card, data: Uint8Array): Promise<Answer> {
    const tx = this.tx;
    if (tx?.phase !== "purchaseSent") return status(SW.OUT_OF_ORDER);
    // A response that fails its checks leaves the transaction waiting for the genuine one.
    const remembered = card.state.bciSequence?.[card.data.brand];
    let outcome: PurchaseOutcome;
    /** A newer BCI an accepted PRes carried (verified with the merchant's path): remembered with it. */
    let newer: number | undefined;
    try {
      const resData = await receivePRes(
        this.env.p,
        data,
        {
          rrpid: tx.pReqRrpid,
          xid: tx.transIDs.xid,
          chall_C: tx.chall_C,
          lid_C: tx.transIDs.lid_C,
          merchantCertificate: tx.merchant.der,
          brandID: card.data.brand,
          // A BCI the PRes carries is held to the card's memory, as PInitRes's is.
          ...(remembered === undefined ? {} : { bciSequenceNum: remembered }),
        },
        { trust: { pinnedRoot: card.data.root, at: this.now(), chainCache: this.applet.chainCache } },
      );
      const carried =
        resData.brandCRLIdentifier &&
        bciSequenceNumOf({ der: encodeDer(schema.BrandCRLIdentifier, resData.brandCRLIdentifier) });
      if (carried !== undefined && (remembered === undefined || carried > remembered)) newer = carried;
      const payload = resData.pResPayloadSeq[0];
      const authAmt = payload.results?.authStatus?.authAmt;
      outcome = { completionCode: payload.completionCode, ...(authAmt ? { authAmt } : {}) };
    } catch (e) {
      if (!(e instanceof RemoteSetError)) throw e;
      outcome = {
        completionCode: "error",
        error: { code: e.code, message: "the merchant answered PReq with a SET Error", signed: e.signed },
      };
    }
    const done: Completed = { ...tx, phase: "completed", outcome };
    this.tx = done;
    const { purchases } = withCompletion(card.state, toHex(tx.transIDs.xid), outcome.completionCode);
    await this.remember(card, done, {
      ...(purchases ? { purchases } : {}),
      ...(newer === undefined
        ? {}
        : { bciSequence: { ...card.state.bciSequence, [card.data.brand]: newer } }),
    });
    return ok(encodeCardData("PurchaseOutcome", wireOutcome(outcome)));
  }

  // ---- INQUIRY_REQUEST, INQUIRY_RESPONSE: InqReq/InqRes about a remembered purchase

  private async inquiryRequest(card: Card, data: Uint8Array): Promise<Answer> {
    const input = decodeCardData("InquiryInput", data);
    const purchase = rememberedPurchase(card.state, input.xid);
    if (!purchase) return status(SW.BAD_DATA);
    const built = await buildCardInqReq(this.env.p, card, purchase, this.now(), this.swIdent);
    this.inquiry = built.pending;
    return ok(built.message);
  }

  private async inquiryResponse(card: Card, data: Uint8Array): Promise<Answer> {
    const pending = this.inquiry;
    if (!pending) return status(SW.OUT_OF_ORDER);
    // A response that fails its checks leaves the inquiry waiting for the genuine one.
    const outcome = await readInqRes(this.env.p, card, pending, data, this.now(), this.applet.chainCache);
    this.inquiry = undefined;
    if (outcome.completionCode !== "error") {
      const xid = pending.purchase.xid;
      const last = card.state.lastTransaction;
      await this.save(card, {
        ...withCompletion(card.state, xid, outcome.completionCode),
        ...(last?.xid === xid
          ? { lastTransaction: { ...last, completionCode: outcome.completionCode } }
          : {}),
      });
    }
    return ok(encodeCardData("PurchaseOutcome", wireOutcome(outcome)));
  }

  // ---- Embodiment 1: E1_CARD_INFO, E1_RESULT

  private async e1CardInfo(card: Card, data: Uint8Array): Promise<Answer> {
    // A new request ends whatever exchange the session held: one answer per request.
    this.tx = undefined;
    this.e1 = undefined;
    this.e2 = undefined;
    let answered: Awaited<ReturnType<typeof answerE1InfoReq>>;
    try {
      answered = await answerE1InfoReq(this.env, card, data, this.now());
    } catch (e) {
      if (isBrandRefusal(e)) return status(SW.BAD_DATA);
      if (e instanceof RemoteSetError) throw new SetError(e.code, "the merchant refused E1InfoInit");
      throw e;
    }
    if (!answered) return status(SW.OUT_OF_ORDER, encodeCardData("OutOfOrderReason", "cardholderDeclined"));
    this.e1 = answered.pending;
    return ok(answered.infoRes);
  }

  private async e1Result(card: Card, data: Uint8Array): Promise<Answer> {
    const pending = this.e1;
    if (!pending) return status(SW.OUT_OF_ORDER);
    const { outcome, summary } = await readE1Result(this.env.p, card, pending, data, this.now());
    this.e1 = undefined;
    await this.save(card, { ...card.state, lastTransaction: summary });
    return ok(encodeCardData("PurchaseOutcome", outcome));
  }

  // ---- Embodiment 2: E2_HELLO, E2_SESSION_KEY, E2_CONFIRM (then E1_RESULT)

  private async e2Hello(card: Card, data: Uint8Array): Promise<Answer> {
    this.tx = undefined;
    this.e1 = undefined;
    this.e2 = undefined;
    let answered: Awaited<ReturnType<typeof answerE2Hello>>;
    try {
      answered = await answerE2Hello(this.env.p, card, data, this.now());
    } catch (e) {
      if (e instanceof RemoteSetError) throw new SetError(e.code, "the merchant refused E2Init");
      throw e;
    }
    this.e2 = answered.pending;
    return ok(answered.cardHello);
  }

  private async e2SessionKey(card: Card, data: Uint8Array): Promise<Answer> {
    const pending = this.e2;
    if (!pending || pending.sessionKey) return status(SW.OUT_OF_ORDER);
    // A key message that fails a check ends the exchange: the transaction's key is not offered twice.
    this.e2 = undefined;
    let opened: Awaited<ReturnType<typeof openE2SessionKey>>;
    try {
      opened = await openE2SessionKey(this.env.p, card, pending, data, this.now());
    } catch (e) {
      if (e instanceof RemoteSetError) throw new SetError(e.code, "the merchant refused E2CardHello");
      throw e;
    }
    this.e2 = opened.pending;
    return ok(opened.orderForBuyer);
  }

  private async e2Confirm(card: Card): Promise<Answer> {
    const pending = this.e2;
    if (!pending?.sessionKey) return status(SW.OUT_OF_ORDER);
    const { cardInfo, result } = await confirmE2(this.env.p, card, pending, this.now());
    this.e2 = undefined;
    this.e1 = result;
    return ok(cardInfo);
  }

  /**
   * The card keeps a summary of its last transaction (never account data), on disk before the card
   * answers unless `durable` is false.
   */
  private async remember(
    card: Card,
    tx: Transaction,
    also: Partial<CardState> = {},
    durable = true,
  ): Promise<void> {
    if (tx.phase === "pInitSent") return;
    const state = { ...card.state, ...also, lastTransaction: summaryOf(tx, this.now()) };
    if (durable) await this.save(card, state);
    else card.state = state;
  }
}

function summaryOf(tx: Exclude<Transaction, { phase: "pInitSent" }>, at: Date): TransactionSummary {
  const purchAmt = "input" in tx ? tx.input.purchAmt : undefined;
  const outcome = tx.phase === "completed" ? tx.outcome : undefined;
  return {
    xid: toHex(tx.transIDs.xid),
    merchantName: tx.merchantName,
    merID: tx.merID,
    ...(purchAmt ? { purchAmt } : {}),
    phase: tx.phase,
    ...(outcome ? { completionCode: outcome.completionCode } : {}),
    ...(outcome?.error ? { error: outcome.error.code } : {}),
    at: at.toISOString(),
  };
}

/** The outcome as PURCHASE_RESPONSE carries it (SetLabCard.asn PurchaseOutcome). */
function wireOutcome(outcome: PurchaseOutcome): CardDataValue<"PurchaseOutcome"> {
  if (outcome.completionCode === "error" || outcome.error)
    return {
      type: "error",
      value: {
        errorCode: (outcome.error?.code ?? "unspecifiedFailure") as ErrorCode,
        signed: outcome.error?.signed ?? false,
      },
    };
  const authAmt = outcome.authAmt;
  return { type: "pRes", value: { completionCode: outcome.completionCode, ...(authAmt ? { authAmt } : {}) } };
}

type WireSummary = NonNullable<CardDataValue<"CardStatus">["lastTransaction"]>;
const phases: readonly string[] = ["initialized", "purchaseSent", "declined", "completed"];

/**
 * A kept summary as GET_STATUS carries it; one that does not fit the wire type (a state file
 * from an older card) is left out rather than failing the status.
 */
function wireSummary(s: TransactionSummary): WireSummary | undefined {
  const at = wholeSeconds(new Date(s.at));
  if (!/^[0-9a-f]{40}$/.test(s.xid) || !phases.includes(s.phase) || Number.isNaN(at.getTime()))
    return undefined;
  const wire: WireSummary = {
    xid: new Uint8Array(Buffer.from(s.xid, "hex")),
    merchantName: s.merchantName,
    merID: s.merID,
    phase: s.phase as WireSummary["phase"],
    at,
    ...(s.purchAmt ? { purchAmt: s.purchAmt } : {}),
    ...(s.completionCode && s.completionCode !== "error"
      ? { completionCode: s.completionCode as WireSummary["completionCode"] }
      : {}),
    ...(s.error ? { error: s.error as ErrorCode } : {}),
  };
  try {
    encodeCardData("TransactionSummary", wire);
    return wire;
  } catch {
    return undefined;
  }
}

function insLabel(ins: number): string {
  for (const [name, value] of Object.entries(INS)) if (value === ins) return name;
  return `0x${ins.toString(16).padStart(2, "0")}`;
}

/** The terms the card signs, as the confirmation shows them; nothing when there are none. */
function termsShown(terms: schema.InstallRecurData | undefined): { terms?: string } {
  return terms ? { terms: describeInstallRecur(terms) } : {};
}
