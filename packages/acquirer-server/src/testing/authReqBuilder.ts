/**
 * Test-only: builds AuthReqs as the lab's merchant would (a real cardholder PReq from a card of a
 * `set-ca init` directory, then EncB by the merchant), with hooks that break one thing at a time.
 * The merchant side also opens the gateway's answer.
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
  openAuthRes,
  readError,
  type Signer,
  schema,
  sealAuthReq,
  type WrapperIds,
  wholeSeconds,
  wrapMessage,
} from "@setlab/protocol";
import type { LabCardData, LabPki } from "@setlab/runtime";

export const merID = "SETLAB-MER-0001";

export interface AuthReqParts {
  transIDs: schema.TransIDs;
  oiData: schema.OIData;
  piHead: schema.PIHead;
  panData: schema.PANData;
  panToken: schema.PANToken;
  authReqData: schema.AuthReqData;
  authRRPID: Uint8Array;
}

export interface AuthReqOptions {
  readonly card?: string;
  readonly amount?: number;
  /** Amount the merchant asks for, when not the purchase amount. */
  readonly authReqAmount?: number;
  readonly xid?: Uint8Array;
  readonly authRRPID?: Uint8Array;
  readonly form?: "dualSigned" | "unsigned" | "authToken";
  /** Sign the PI with this card's key and certificate instead of the card's own. */
  readonly signingCard?: string;
  /** Merchant and gateway of this brand instead of the card's. */
  readonly merchantBrand?: string;
  readonly gatewayBrand?: string;
  /** Change the cardholder's data before it is signed. */
  readonly cardholder?: (parts: AuthReqParts) => void;
  /** Change AuthReqData after the PI is built (what the merchant signs). */
  readonly merchant?: (parts: AuthReqParts) => void;
  /** Change the PI DER the merchant forwards. */
  readonly pi?: (piDer: Uint8Array) => Uint8Array;
  /** Header ids instead of the protected ones. */
  readonly header?: (ids: WrapperIds) => WrapperIds;
  readonly date?: Date;
  /** Seal to this certificate instead of the brand gateway's key-exchange certificate. */
  readonly sealTo?: Uint8Array;
}

export interface BuiltAuthReq {
  readonly bytes: Uint8Array;
  readonly parts: AuthReqParts;
  readonly authReq: schema.AuthReq;
  readonly piDer: Uint8Array;
}

const lower = (brand: string) => brand.toLowerCase();

export class AuthReqBuilder {
  private readonly signers = new Map<string, Promise<Signer>>();

  constructor(
    readonly p: CryptoProvider,
    readonly pki: LabPki,
  ) {}

  card(id: string): LabCardData {
    const c = this.pki.cards()[id];
    if (!c) throw new Error(`no card ${id}`);
    return c;
  }

  private signer(id: string): Promise<Signer> {
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

  merchantSigner(brand: string): Promise<Signer> {
    return this.signer(`${lower(brand)}/merchant/signature`);
  }

  async merchantDecrypter(brand: string) {
    const id = `${lower(brand)}/merchant/key-exchange`;
    return {
      certificate: this.pki.certificate(id),
      privateKey: await this.pki.privateKey(id, "keyEncipherment", this.p.crypto),
    };
  }

  gatewayKex(brand: string): Uint8Array {
    return this.pki.certificate(`${lower(brand)}/gateway/key-exchange`);
  }

  async build(options: AuthReqOptions = {}): Promise<BuiltAuthReq> {
    const p = this.p;
    const cardId = options.card ?? "visa-approve";
    const card = this.card(cardId);
    const brand = card.brand;
    const merchantBrand = options.merchantBrand ?? brand;
    const gatewayBrand = options.gatewayBrand ?? brand;
    const xid = options.xid ?? p.random(20);
    const authRRPID = options.authRRPID ?? p.random(20);
    const transIDs: schema.TransIDs = {
      lid_C: p.random(8),
      lid_M: new TextEncoder().encode("order-1"),
      xid,
      pReqDate: wholeSeconds(new Date()),
      language: "en",
    };
    const purchAmt = { currency: 392, amount: options.amount ?? 12800, amtExp10: 0 };
    const od = new TextEncoder().encode("1 x SET Lab mug");
    const odSalt = p.random(20);
    const hod = await computeHOD(p, { od, purchAmt, odSalt });
    const parts: AuthReqParts = {
      transIDs,
      authRRPID,
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
        merchantID: merID,
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
    options.cardholder?.(parts);
    const gatewayKex = this.gatewayKex(gatewayBrand);
    const form = options.form ?? "dualSigned";
    let piDer: Uint8Array;
    if (form === "dualSigned") {
      const signingCard = options.signingCard ?? cardId;
      const signingBrand = this.card(signingCard).brand;
      const built = await buildPReqDualSigned(p, {
        cardholder: await this.signer(`${lower(signingBrand)}/cards/${signingCard}`),
        gatewayKexCertificate: gatewayKex,
        oiData: parts.oiData,
        piHead: parts.piHead,
        panData: parts.panData,
      });
      piDer = encodeDer(schema.PI, { type: "piDualSigned", value: built.pReq.piDualSigned });
    } else {
      const built = await buildPReqUnsigned(p, {
        gatewayKexCertificate: gatewayKex,
        oiData: parts.oiData,
        piHead: parts.piHead,
        panToken: parts.panToken,
      });
      piDer =
        form === "unsigned"
          ? encodeDer(schema.PI, { type: "piUnsigned", value: built.pReq.piUnsigned })
          : encodeDer(schema.PI, { type: "authToken", value: { type: "enc", value: built.pReq.piUnsigned } });
    }
    const hOIData = await DD(p, encodeDer(schema.OIData, parts.oiData), schema.ContentType.OIData);
    parts.authReqData = {
      authReqItem: {
        authTags: {
          authRRTags: { rrpid: authRRPID, merTermIDs: { merchantID: merID }, currentDate: transIDs.pReqDate },
          transIDs,
        },
        ...(form === "authToken" ? {} : { checkDigests: { hOIData, hOD2: hod } }),
        authReqPayload: {
          subsequentAuthInd: false,
          authReqAmt: { ...purchAmt, amount: options.authReqAmount ?? purchAmt.amount },
          requestCardTypeInd: false,
        },
      },
      captureNow: false,
    };
    options.merchant?.(parts);
    if (options.pi) piDer = options.pi(piDer);
    const authReq = await sealAuthReq(
      p,
      await this.merchantSigner(merchantBrand),
      options.sealTo ?? gatewayKex,
      parts.authReqData,
      piDer,
    );
    const tags = parts.authReqData.authReqItem.authTags;
    const ids: WrapperIds = {
      rrpid: tags.authRRTags.rrpid,
      lid_C: tags.transIDs.lid_C,
      lid_M: tags.transIDs.lid_M,
      xid: tags.transIDs.xid,
    };
    const bytes = wrapMessage(
      { type: "authorizationRequest", value: authReq },
      options.header?.(ids) ?? ids,
      {
        date: options.date ?? new Date(),
      },
    );
    return { bytes, parts, authReq, piDer };
  }

  /** Re-seal the same AuthReqData and PI (a fresh envelope, the same content). */
  async reseal(built: BuiltAuthReq, brand = "Visa"): Promise<Uint8Array> {
    const authReq = await sealAuthReq(
      this.p,
      await this.merchantSigner(brand),
      this.gatewayKex(brand),
      built.parts.authReqData,
      built.piDer,
    );
    const tags = built.parts.authReqData.authReqItem.authTags;
    return wrapMessage(
      { type: "authorizationRequest", value: authReq },
      { rrpid: tags.authRRTags.rrpid, xid: tags.transIDs.xid },
      { date: new Date() },
    );
  }

  /** What the merchant reads from the gateway's answer. */
  async read(
    bytes: Uint8Array,
    brand = "Visa",
  ): Promise<
    | {
        type: "authRes";
        data: schema.AuthResData;
        header: schema.MessageHeader;
        baggage: schema.AuthResBaggage;
      }
    | { type: "error"; code: string }
  > {
    const w = schema.decodeMessage(bytes);
    if (w.message.type === "error")
      return { type: "error", code: (await readError(this.p, w.message.value)).code };
    if (w.message.type !== "authorizationResponse") throw new Error(`unexpected ${w.message.type}`);
    const opened = await openAuthRes(this.p, await this.merchantDecrypter(brand), w.message.value, {
      pinnedRoot: this.pki.root(),
      at: new Date(),
      intermediates: this.pki.entries
        .filter((e) => ["bca", "cca", "mca", "pca"].includes(e.role))
        .map((e) => this.pki.certificate(e.id)),
    });
    return { type: "authRes", data: opened.data, header: w.messageHeader, baggage: opened.baggage };
  }
}
