/**
 * Test-only: AuthReqs as the lab's merchant would send them, from the cards and keys of a
 * `set-ca init` directory, built by `buildAuthReq` of `@setlab/protocol/testing`. The merchant
 * side also opens the gateway's answer.
 */
import {
  type CryptoProvider,
  fromHex,
  openAuthRes,
  parseSetCertificate,
  readError,
  type Signer,
  schema,
  sealSubsequentAuthReq,
  subsequentAuthReqData,
  wholeSeconds,
  wrapMessage,
} from "@setlab/protocol";
import {
  authReqIds,
  type AuthReqOptions as BuildOptions,
  type BuiltAuthReq,
  buildAuthReq,
  resealAuthReq,
} from "@setlab/protocol/testing";
import type { LabCardData, LabPki } from "@setlab/runtime";

export type { AuthReqParts, BuiltAuthReq } from "@setlab/protocol/testing";

export const merID = "SETLAB-MER-0001";

export interface AuthReqOptions extends BuildOptions {
  /** Test card id of `cards.json`; default visa-approve. */
  readonly card?: string;
  /** Sign the PI with this card's key and certificate instead of the card's own. */
  readonly signingCard?: string;
  /** Merchant and gateway of this brand instead of the card's. */
  readonly merchantBrand?: string;
  readonly gatewayBrand?: string;
  /** Seal the AuthReq to this certificate instead of the brand gateway's key-exchange certificate. */
  readonly sealTo?: Uint8Array;
  /** The merchant's manifest id prefix instead of `<brand>/merchant` (e.g. `attack/visa/merchant-b`). */
  readonly merchantId?: string;
  /** The key-exchange certificate the AuthReq carries instead of the merchant's own; null: none. */
  readonly carriedKex?: Uint8Array | null;
}

const lower = (brand: string) => brand.toLowerCase();

export class AuthReqBuilder {
  private readonly signers = new Map<string, Promise<Signer>>();
  private readonly decryptionKeys = new Map<string, Promise<CryptoKey>>();

  constructor(
    readonly p: CryptoProvider,
    readonly pki: LabPki,
  ) {}

  card(id: string): LabCardData {
    const c = this.pki.cards()[id];
    if (!c) throw new Error(`no card ${id}`);
    return c;
  }

  /** A merchant's key-exchange private key, decrypted and imported once per builder. */
  keyExchangeKey(merchantId: string): Promise<CryptoKey> {
    let key = this.decryptionKeys.get(merchantId);
    if (!key) {
      key = this.pki.privateKey(`${merchantId}/key-exchange`, "keyEncipherment", this.p);
      this.decryptionKeys.set(merchantId, key);
    }
    return key;
  }

  private signer(id: string): Promise<Signer> {
    let s = this.signers.get(id);
    if (!s) {
      s = this.pki.signer(id, this.p);
      this.signers.set(id, s);
    }
    return s;
  }

  /** The merchant's signature key, its key-exchange certificate carried as AuthReq needs. */
  async merchantSigner(brand: string, merchantId = `${lower(brand)}/merchant`): Promise<Signer> {
    const sig = await this.signer(`${merchantId}/signature`);
    return { ...sig, chain: [this.pki.certificate(`${merchantId}/key-exchange`), ...(sig.chain ?? [])] };
  }

  gatewayKex(brand: string): Uint8Array {
    return this.pki.certificate(`${lower(brand)}/gateway/key-exchange`);
  }

  async build(options: AuthReqOptions = {}): Promise<BuiltAuthReq> {
    const cardId = options.card ?? "visa-approve";
    const card = this.card(cardId);
    const signingCard = options.signingCard ?? cardId;
    const piSealTo = this.gatewayKex(options.gatewayBrand ?? card.brand);
    const form = options.form ?? "dualSigned";
    const merchantSigner = await this.merchantSigner(
      options.merchantBrand ?? card.brand,
      options.merchantId ?? `${lower(options.merchantBrand ?? card.brand)}/merchant`,
    );
    const carried = options.carriedKex;
    const merchant =
      carried === undefined
        ? merchantSigner
        : {
            ...merchantSigner,
            chain: [...(carried ? [carried] : []), ...(merchantSigner.chain ?? []).slice(1)],
          };
    const merchantMerID = parseSetCertificate(merchant.certificate).merchantData?.merID ?? merID;
    return buildAuthReq(
      this.p,
      { ...card, panSecret: fromHex(card.panSecret) },
      {
        cardholder:
          form === "dualSigned"
            ? await this.signer(`${lower(this.card(signingCard).brand)}/cards/${signingCard}`)
            : undefined,
        merchant,
        piSealTo,
        sealTo: options.sealTo ?? piSealTo,
      },
      { lidM: "order-1", merID: merchantMerID, ...options },
    );
  }

  /**
   * A subsequent AuthReq (PI = AuthToken) for the purchase `first` opened, as the merchant of
   * `merchantBrand`/`merchantId` would send it: a fresh AuthRRPID, the same TransIDs.
   */
  async buildSubsequent(
    first: BuiltAuthReq,
    authToken: schema.AuthToken,
    options: {
      readonly amount?: number;
      readonly authRRPID?: Uint8Array;
      readonly brand?: string;
      readonly merchantId?: string;
      readonly installRecurSeqNum?: number;
      readonly subsequentAuthInd?: boolean;
      readonly date?: Date;
    } = {},
  ): Promise<{ bytes: Uint8Array; data: schema.AuthReqData }> {
    const brand = options.brand ?? "Visa";
    const merchant = await this.merchantSigner(brand, options.merchantId ?? `${lower(brand)}/merchant`);
    const date = wholeSeconds(options.date ?? new Date());
    const data = subsequentAuthReqData({
      merchantID: parseSetCertificate(merchant.certificate).merchantData?.merID ?? merID,
      authRRPID: options.authRRPID ?? this.p.random(20),
      date,
      transIDs: first.parts.transIDs,
      authReqAmt: { currency: 392, amount: options.amount ?? 1000, amtExp10: 0 },
      ...(options.installRecurSeqNum !== undefined ? { installRecurSeqNum: options.installRecurSeqNum } : {}),
      ...(options.subsequentAuthInd !== undefined ? { subsequentAuthInd: options.subsequentAuthInd } : {}),
    });
    const authReq = await sealSubsequentAuthReq(this.p, merchant, this.gatewayKex(brand), data, authToken);
    return {
      bytes: wrapMessage({ type: "authorizationRequest", value: authReq }, authReqIds(data), { date }),
      data,
    };
  }

  /** Re-seal the same AuthReqData and PI (a fresh envelope, the same content). */
  async reseal(built: BuiltAuthReq, brand = "Visa"): Promise<Uint8Array> {
    return resealAuthReq(this.p, await this.merchantSigner(brand), this.gatewayKex(brand), built);
  }

  /** What the merchant reads from the gateway's answer. */
  async read(
    bytes: Uint8Array,
    brand = "Visa",
    merchantId = `${lower(brand)}/merchant`,
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
    const kex = `${merchantId}/key-exchange`;
    const decrypter = {
      certificate: this.pki.certificate(kex),
      privateKey: await this.keyExchangeKey(merchantId),
    };
    const opened = await openAuthRes(this.p, decrypter, w.message.value, {
      pinnedRoot: this.pki.root(),
      at: new Date(),
      intermediates: this.pki.intermediates(),
    });
    return { type: "authRes", data: opened.data, header: w.messageHeader, baggage: opened.baggage };
  }
}
