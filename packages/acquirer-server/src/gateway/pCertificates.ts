/**
 * The gateway's certificate service (digest 3.7, patent step S31): PCertReq in, PCertRes or SET
 * Error out. A merchant certified by the brand and enrolled with this acquirer asks, per brand and
 * BIN, for the key-exchange certificate to seal its AuthReqs to; the answer names it by thumbprint
 * and carries it with its CA chain, signed with the brand's signature key. A brand the gateway does
 * not serve is `brandNotSupported`. Nothing is stored: a PCertReq changes no state, so a repeat is
 * answered afresh (with the certificates current then).
 */
import {
  type CryptoProvider,
  parseSetCertificate,
  type ReadMessage,
  receivePCertReq,
  schema,
  signPCertRes,
  thumbOf,
  toHex,
  wholeSeconds,
  wrapMessage,
} from "@setlab/protocol";
import type { ReceiverSettings } from "./authReqReceiver";
import { errorAnswer } from "./errorAnswer";
import type { GatewayBrandKeys } from "./gatewayKeys";

/** What happened to one PCertReq, for the shell's log. */
export interface PCertReqOutcome {
  readonly response: Uint8Array;
  readonly kind: "pCertRes" | "error";
  readonly pCertRRPID?: string;
  readonly merchantID?: string;
  /** Entries answered with a certificate, and without. */
  readonly served?: number;
  readonly refused?: number;
  readonly errorCode?: string;
  readonly reason?: string;
  readonly internal?: boolean;
}

export interface PCertDeps {
  readonly p: CryptoProvider;
  readonly keys: readonly GatewayBrandKeys[];
  readonly settings: ReceiverSettings;
}

export async function handlePCertReq(deps: PCertDeps, read: ReadMessage): Promise<PCertReqOutcome> {
  const { p, keys } = deps;
  let ids: Pick<PCertReqOutcome, "pCertRRPID" | "merchantID"> = {};
  let signing: GatewayBrandKeys | undefined;
  try {
    const at = p.now();
    const enrolled = [...new Set(Object.values(deps.settings.enrolled).flat())];
    const received = await receivePCertReq(p, read, {
      trust: { ...deps.settings.trust, at },
      now: at,
      maxClockSkewMs: deps.settings.policy.maxClockSkewMs,
      enrolledMerIDs: enrolled,
    });
    ids = { pCertRRPID: toHex(received.data.pCertRRTags.rrpid), merchantID: received.merID };
    const asked = received.data.brandAndBINSeq;
    // One signature vouches for the answer: the brand of the merchant's certificate, else the first asked.
    signing =
      keys.find((k) => k.brand === received.merchant.brand) ?? keys.find((k) => k.brand === asked[0].brandID);
    const served = new Map<string, GatewayBrandKeys>();
    for (const a of asked) {
      const k = keys.find((x) => x.brand === a.brandID);
      if (k && k === signing) served.set(a.brandID, k);
    }
    const items: schema.PCertResTBS["pCertResItems"] = await Promise.all(
      asked.map(async (a) => {
        const k = served.get(a.brandID);
        if (!k) return { pCertCode: "brandNotSupported" as const };
        const thumbprint = await thumbOf(p, parseSetCertificate(k.decrypter.certificate));
        return {
          pCertCode: "success" as const,
          certThumb: { digestAlgorithm: { algorithm: schema.Std.sha256 }, thumbprint },
        };
      }),
    );
    const signer = signing ?? keys[0];
    const carried = served.size > 0 ? [signer.decrypter.certificate] : [];
    const date = wholeSeconds(at);
    const data: schema.PCertResTBS = {
      pCertRRTags: { ...received.data.pCertRRTags, currentDate: date },
      pCertResItems: items,
    };
    const signed = await signPCertRes(
      p,
      { ...signer.signer, chain: [...(signer.signer.chain ?? []), ...carried] },
      data,
    );
    const response = wrapMessage(
      { type: "pCertificateResponse", value: signed },
      { rrpid: data.pCertRRTags.rrpid },
      { date },
    );
    const count = items.filter((i) => i.pCertCode === "success").length;
    return { ...ids, response, kind: "pCertRes", served: count, refused: items.length - count };
  } catch (e) {
    const answer = await errorAnswer(p, e, read.bytes, signing, {});
    return {
      ...ids,
      response: answer.response,
      kind: "error",
      errorCode: answer.errorCode,
      reason: answer.reason,
      ...(answer.internal ? { internal: true } : {}),
    };
  }
}
