/**
 * A rogue merchant's workbench: it builds AuthReqs the way a merchant does (a cardholder PI made
 * in-process with a test card's key from the lab PKI, then EncB with a merchant's signature key),
 * and lets an attack change one thing at a time: who signs, which merID it claims, which gateway
 * key the AuthReq or the PI is sealed to, the PI it forwards, the header it wraps it in.
 * It also reads the gateway's answer with the merchant's key-exchange key, as the merchant would.
 */
import {
  type CryptoProvider,
  computeHOD,
  fromHex,
  nodeProvider,
  openAuthRes,
  readError,
  type Signer,
  schema,
  toHex,
} from "@setlab/protocol";
import { type AuthReqOptions, type AuthReqParts, buildAuthReq } from "@setlab/protocol/testing";
import { type LabCardData, LabPki } from "@setlab/runtime";

/** The lab merchant's merID (`set-ca init`). */
export const labMerID = "SETLAB-MER-0001";

/** What the hooks may change (`buildAuthReq`'s parts); `authReqData` is set after the PI is built. */
export type ForgedParts = AuthReqParts;

export interface ForgeOptions extends Omit<AuthReqOptions, "form"> {
  /** Test card id of `cards.json` (default visa-approve). */
  readonly card?: string;
  readonly form?: "dualSigned" | "unsigned";
  /** PKI id of the certificate and key that sign the AuthReq (default `<brand>/merchant/signature`). */
  readonly merchantSignerId?: string;
  /** A signer built by the attack (e.g. a certificate with another certificate's key). */
  readonly merchantSigner?: Signer;
  /**
   * PKI id of the merchant key-exchange certificate the AuthReq carries for the gateway to seal
   * AuthRes to (default: the signer's own `.../key-exchange` when the PKI has it, else the lab
   * merchant's of the brand); null carries none.
   */
  readonly carriedKexId?: string | null;
  /** Key-exchange certificate the PI's EX is sealed to (default the brand gateway's). */
  readonly piSealTo?: Uint8Array;
  /** Key-exchange certificate the AuthReq is sealed to (default the brand gateway's). */
  readonly sealTo?: Uint8Array;
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
      s = this.pki.signer(id, this.p);
      this.signers.set(id, s);
    }
    return s;
  }

  /** The key-exchange certificate that goes with a merchant signature certificate id. */
  kexIdFor(signerId: string, brand: string): string {
    const own = signerId.replace(/\/signature$/, "/key-exchange");
    return own !== signerId && this.has(own) ? own : `${lower(brand)}/merchant/key-exchange`;
  }

  gatewayKex(brand: string): Uint8Array {
    return this.pki.certificate(`${lower(brand)}/gateway/key-exchange`);
  }

  async forge(options: ForgeOptions = {}): Promise<ForgedAuthReq> {
    const cardId = options.card ?? "visa-approve";
    const card = this.card(cardId);
    const brand = card.brand;
    const form = options.form ?? "dualSigned";
    const signerId = options.merchantSignerId ?? `${lower(brand)}/merchant/signature`;
    const merchantSigner = options.merchantSigner ?? (await this.signer(signerId));
    const kexId = options.carriedKexId === undefined ? this.kexIdFor(signerId, brand) : options.carriedKexId;
    const merchant: Signer = {
      ...merchantSigner,
      chain: [...(kexId ? [this.pki.certificate(kexId)] : []), ...(merchantSigner.chain ?? [])],
    };
    const built = await buildAuthReq(
      this.p,
      { ...card, panSecret: fromHex(card.panSecret) },
      {
        cardholder: form === "dualSigned" ? await this.signer(`${lower(brand)}/cards/${cardId}`) : undefined,
        merchant,
        piSealTo: options.piSealTo ?? this.gatewayKex(brand),
        sealTo: options.sealTo ?? this.gatewayKex(brand),
      },
      { amount: 100, merID: labMerID, ...options },
    );
    return { ...built, xidHex: toHex(built.parts.transIDs.xid) };
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
          privateKey: await this.pki.privateKey(kexId, "keyEncipherment", this.p),
        },
        w.message.value,
        {
          pinnedRoot: this.pki.root(),
          at: new Date(),
          intermediates: this.pki.intermediates(),
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
