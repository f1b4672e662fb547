/**
 * A rogue merchant's workbench: it builds AuthReqs the way a merchant does (a cardholder PI made
 * in-process with a test card's key from the lab PKI, then EncB with a merchant's signature key),
 * and lets an attack change one thing at a time: who signs, which merID it claims, which gateway
 * key the AuthReq or the PI is sealed to, the PI it forwards, the header it wraps it in.
 * It also reads the gateway's answer with the merchant's key-exchange key, as the merchant would.
 */
import {
  buildPReqDualSigned,
  buildPReqUnsigned,
  type CryptoProvider,
  computeHOD,
  DD,
  encodeDer,
  fromHex,
  HMAC,
  nodeProvider,
  openAuthRes,
  readError,
  type Signer,
  schema,
  sealAuthReq,
  toHex,
  type WrapperIds,
  wholeSeconds,
  wrapMessage,
} from "@setlab/protocol";
import { type LabCardData, LabPki } from "@setlab/runtime";

/** The lab merchant's merID (`set-ca init`). */
export const labMerID = "SETLAB-MER-0001";

export interface ForgedParts {
  transIDs: schema.TransIDs;
  oiData: schema.OIData;
  piHead: schema.PIHead;
  panData: schema.PANData;
  panToken: schema.PANToken;
  od: Uint8Array;
  authRRPID: Uint8Array;
  /** Set after the PI is built; the merchant hook may change it. */
  authReqData: schema.AuthReqData;
}

export interface ForgeOptions {
  /** Test card id of `cards.json` (default visa-approve). */
  readonly card?: string;
  readonly amount?: number;
  /** AuthReqAmt, when not the purchase amount. */
  readonly authReqAmount?: number;
  readonly xid?: Uint8Array;
  readonly authRRPID?: Uint8Array;
  readonly form?: "dualSigned" | "unsigned";
  /** PKI id of the certificate and key that sign the AuthReq (default `<brand>/merchant/signature`). */
  readonly merchantSignerId?: string;
  /** A signer built by the attack (e.g. a certificate with another certificate's key). */
  readonly merchantSigner?: Signer;
  /** The merID the AuthReq claims in AuthRRTags (default the lab merchant's). */
  readonly merID?: string;
  /** The merID the cardholder puts in PIHead (default `merID`). */
  readonly piMerchantID?: string;
  /** Key-exchange certificate the PI's EX is sealed to (default the brand gateway's). */
  readonly piSealTo?: Uint8Array;
  /** Key-exchange certificate the AuthReq is sealed to (default the brand gateway's). */
  readonly sealTo?: Uint8Array;
  /** Change the cardholder's data before the PI is built. */
  readonly cardholder?: (parts: ForgedParts) => void | Promise<void>;
  /** Change AuthReqData after the PI is built (what the merchant signs). */
  readonly merchant?: (parts: ForgedParts) => void | Promise<void>;
  /** Replace the PI DER the merchant forwards (sealed into the AuthReq's linkage). */
  readonly pi?: (piDer: Uint8Array) => Uint8Array | Promise<Uint8Array>;
  /** Change the sealed AuthReq envelope (a ContentInfo of EnvelopedData) after sealing. */
  readonly envelope?: (envelope: Uint8Array) => Uint8Array;
  /** Header ids instead of the protected ones. */
  readonly header?: (ids: WrapperIds) => WrapperIds;
  readonly date?: Date;
}

export interface ForgedAuthReq {
  /** The MessageWrapper DER to POST to the gateway. */
  readonly bytes: Uint8Array;
  readonly parts: ForgedParts;
  readonly piDer: Uint8Array;
  readonly xidHex: string;
}

export type GatewayAnswer =
  | { readonly type: "authRes"; readonly data: schema.AuthResData; readonly authCode: string }
  | { readonly type: "error"; readonly code: string; readonly signed: boolean }
  | { readonly type: "empty" }
  | { readonly type: "unreadable"; readonly reason: string };

const lower = (brand: string) => brand.toLowerCase();

export class AuthReqForger {
  readonly pki: LabPki;
  private readonly signers = new Map<string, Promise<Signer>>();

  constructor(
    pkiDir: string,
    readonly p: CryptoProvider = nodeProvider(),
  ) {
    this.pki = LabPki.open(pkiDir);
  }

  /** True when the lab PKI holds this certificate id (the attack/ fixtures may be missing). */
  has(id: string): boolean {
    return this.pki.entries.some((e) => e.id === id);
  }

  card(id: string): LabCardData {
    const c = this.pki.cards()[id];
    if (!c) throw new Error(`no test card ${id} in the lab PKI`);
    return c;
  }

  /** Certificate and signature key of a PKI entry. */
  signer(id: string): Promise<Signer> {
    let s = this.signers.get(id);
    if (!s) {
      s = this.pki.privateKey(id, "signature", this.p.crypto).then((privateKey) => ({
        certificate: this.pki.certificate(id),
        privateKey,
        chain: this.pki.chain(id),
      }));
      this.signers.set(id, s);
    }
    return s;
  }

  gatewayKex(brand: string): Uint8Array {
    return this.pki.certificate(`${lower(brand)}/gateway/key-exchange`);
  }

  async forge(options: ForgeOptions = {}): Promise<ForgedAuthReq> {
    const p = this.p;
    const cardId = options.card ?? "visa-approve";
    const card = this.card(cardId);
    const brand = card.brand;
    const merID = options.merID ?? labMerID;
    const xid = options.xid ?? p.random(20);
    const transIDs: schema.TransIDs = {
      lid_C: p.random(8),
      lid_M: new TextEncoder().encode(`order-${toHex(p.random(3))}`),
      xid,
      pReqDate: wholeSeconds(new Date()),
      language: "en",
    };
    const purchAmt = { currency: 392, amount: options.amount ?? 100, amtExp10: 0 };
    const od = new TextEncoder().encode("1 x SET Lab mug");
    const odSalt = p.random(20);
    const hod = await computeHOD(p, { od, purchAmt, odSalt });
    const parts: ForgedParts = {
      transIDs,
      od,
      authRRPID: options.authRRPID ?? p.random(20),
      oiData: {
        transIDs,
        rrpid: p.random(20),
        chall_C: p.random(20),
        hod,
        odSalt,
        chall_M: p.random(20),
        brandID: brand,
        bin: card.pan.slice(0, 6),
      },
      piHead: {
        transIDs,
        inputs: { hod, purchAmt },
        merchantID: options.piMerchantID ?? merID,
        transStain: await HMAC(p, p.random(20), xid),
        swIdent: "SETLab/0.1",
      },
      panData: {
        pan: card.pan,
        cardExpiry: card.expiry,
        panSecret: fromHex(card.panSecret),
        exNonce: p.random(20),
      },
      panToken: { pan: card.pan, cardExpiry: card.expiry, exNonce: p.random(20) },
      authReqData: undefined as unknown as schema.AuthReqData,
    };
    await options.cardholder?.(parts);
    const piSealTo = options.piSealTo ?? this.gatewayKex(brand);
    let piDer: Uint8Array;
    if ((options.form ?? "dualSigned") === "dualSigned") {
      const built = await buildPReqDualSigned(p, {
        cardholder: await this.signer(`${lower(brand)}/cards/${cardId}`),
        gatewayKexCertificate: piSealTo,
        oiData: parts.oiData,
        piHead: parts.piHead,
        panData: parts.panData,
      });
      piDer = encodeDer(schema.PI, { type: "piDualSigned", value: built.pReq.piDualSigned });
    } else {
      const built = await buildPReqUnsigned(p, {
        gatewayKexCertificate: piSealTo,
        oiData: parts.oiData,
        piHead: parts.piHead,
        panToken: parts.panToken,
      });
      piDer = encodeDer(schema.PI, { type: "piUnsigned", value: built.pReq.piUnsigned });
    }
    const hOIData = await DD(p, encodeDer(schema.OIData, parts.oiData), schema.ContentType.OIData);
    parts.authReqData = {
      authReqItem: {
        authTags: {
          authRRTags: {
            rrpid: parts.authRRPID,
            merTermIDs: { merchantID: merID },
            currentDate: transIDs.pReqDate,
          },
          transIDs,
        },
        checkDigests: { hOIData, hOD2: parts.oiData.hod },
        authReqPayload: {
          subsequentAuthInd: false,
          authReqAmt: { ...purchAmt, amount: options.authReqAmount ?? purchAmt.amount },
          requestCardTypeInd: false,
        },
      },
      captureNow: false,
    };
    await options.merchant?.(parts);
    if (options.pi) piDer = await options.pi(piDer);
    const signer =
      options.merchantSigner ??
      (await this.signer(options.merchantSignerId ?? `${lower(brand)}/merchant/signature`));
    const sealed = await sealAuthReq(
      p,
      signer,
      options.sealTo ?? this.gatewayKex(brand),
      parts.authReqData,
      piDer,
    );
    const authReq = options.envelope
      ? { ...sealed, authReqEnvelope: options.envelope(new Uint8Array(sealed.authReqEnvelope)) }
      : sealed;
    const tags = parts.authReqData.authReqItem.authTags;
    const ids: WrapperIds = {
      rrpid: tags.authRRTags.rrpid,
      lid_C: tags.transIDs.lid_C,
      ...(tags.transIDs.lid_M ? { lid_M: tags.transIDs.lid_M } : {}),
      xid: tags.transIDs.xid,
    };
    const bytes = wrapMessage(
      { type: "authorizationRequest", value: authReq },
      options.header?.(ids) ?? ids,
      {
        date: options.date ?? new Date(),
      },
    );
    return { bytes, parts, piDer, xidHex: toHex(tags.transIDs.xid) };
  }

  /** Another HOD over the same order description and salt but another amount. */
  hodFor(parts: ForgedParts, purchAmt: schema.CurrencyAmount) {
    return computeHOD(this.p, { od: parts.od, purchAmt, odSalt: parts.oiData.odSalt });
  }

  /** What a merchant holding `kexId`'s key reads from the gateway's answer. */
  async read(bytes: Uint8Array, kexId = "visa/merchant/key-exchange"): Promise<GatewayAnswer> {
    if (bytes.length === 0) return { type: "empty" };
    try {
      const w = schema.decodeMessage(bytes);
      if (w.message.type === "error") {
        const e = await readError(this.p, w.message.value);
        return { type: "error", code: e.code, signed: e.signed };
      }
      if (w.message.type !== "authorizationResponse")
        return { type: "unreadable", reason: `unexpected ${w.message.type}` };
      const opened = await openAuthRes(
        this.p,
        {
          certificate: this.pki.certificate(kexId),
          privateKey: await this.pki.privateKey(kexId, "keyEncipherment", this.p.crypto),
        },
        w.message.value,
        {
          pinnedRoot: this.pki.root(),
          at: new Date(),
          intermediates: this.pki.entries
            .filter((e) => ["bca", "cca", "mca", "pca"].includes(e.role) && !e.id.startsWith("attack/"))
            .map((e) => this.pki.certificate(e.id)),
        },
      );
      return {
        type: "authRes",
        data: opened.data,
        authCode: String(opened.data.authResPayload.authHeader.authCode),
      };
    } catch (e) {
      return { type: "unreadable", reason: (e as Error).message.split("\n")[0] ?? "" };
    }
  }
}
