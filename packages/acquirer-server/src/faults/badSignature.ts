/**
 * The bad-signature fault: an AuthRes that is right in every field (the committed authorization's
 * AuthCode, amount and approval code, the request's AuthTags, sealed to the merchant, carrying the
 * gateway's real certificate and chain) but signed with a throwaway RSA key, so only the
 * merchant's signature check can tell. The committed row keeps the genuine AuthRes: a retried
 * AuthReq gets the genuine answer back.
 */
import {
  type CryptoProvider,
  openAuthReq,
  type Signer,
  schema,
  type Trust,
  toMinorUnits,
} from "@setlab/protocol";
import type { AuthDecision } from "../gateway/authResData";
import { authResMessage } from "../gateway/authResMessage";
import { type GatewayBrandKeys, keysForEnvelope } from "../gateway/gatewayKeys";
import type { AuthCode, RespReason } from "../issuer/outcomes";
import type { AuthorizationRow } from "../store/gatewayStore";

export interface AuthResForgerOptions {
  readonly provider: CryptoProvider;
  readonly keys: readonly GatewayBrandKeys[];
  readonly trust: Omit<Trust, "at">;
}

export class AuthResForger {
  private throwaway?: Promise<CryptoKey>;

  constructor(private readonly options: AuthResForgerOptions) {}

  /** A key that is nobody's: made once per process, never stored. */
  private throwawayKey(): Promise<CryptoKey> {
    this.throwaway ??= this.options.provider.crypto.subtle
      .generateKey(
        {
          name: "RSASSA-PKCS1-v1_5",
          modulusLength: 2048,
          publicExponent: new Uint8Array([1, 0, 1]),
          hash: "SHA-256",
        },
        false,
        ["sign", "verify"],
      )
      .then((pair) => pair.privateKey);
    return this.throwaway;
  }

  /** The AuthRes for the committed authorization `row` of the AuthReq `request`, signed by the throwaway key. */
  async forge(request: Uint8Array, row: AuthorizationRow): Promise<Uint8Array> {
    const { provider: p } = this.options;
    const wrapper = schema.decodeMessage(new Uint8Array(request));
    if (wrapper.message.type !== "authorizationRequest") throw new Error("not an AuthReq");
    const authReq = wrapper.message.value;
    const keys = keysForEnvelope(authReq.authReqEnvelope, this.options.keys);
    // Sealed, as the genuine AuthRes, to the key-exchange certificate the AuthReq carried.
    const { data, merchantKex } = await openAuthReq(
      p,
      keys.decrypter,
      authReq,
      { ...this.options.trust, at: p.now() },
      { brand: keys.brand },
    );
    // The genuine answer's AuthAmt: a hold below the amount asked was a partial approval.
    const asked = toMinorUnits(row);
    const partial = row.authCode === "approved" && asked.ok && BigInt(row.held) < asked.minor;
    const decision: AuthDecision = {
      authCode: row.authCode as AuthCode,
      hold: row.held,
      ...(partial && asked.ok
        ? { partial: { currency: asked.currency.code, exponent: asked.currency.exponent } }
        : {}),
      reason: "forged for the badSignature fault",
      ...(row.respReason ? { respReason: row.respReason as RespReason } : {}),
      ...(row.approvalCode ? { approvalCode: row.approvalCode } : {}),
    };
    const signer: Signer = {
      certificate: keys.signer.certificate,
      privateKey: await this.throwawayKey(),
      ...(keys.signer.chain ? { chain: keys.signer.chain } : {}),
    };
    return authResMessage(p, signer, merchantKex.der, data, decision);
  }
}
