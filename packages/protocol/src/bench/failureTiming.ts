/**
 * How long the gateway takes to refuse a PI damaged at each layer of its envelope. The refusal is
 * one ErrorCode and one text whatever failed (threat model P11), but the time it takes can still
 * say which layer failed: an attacker who times the gateway's answers to damaged PIs would learn
 * whether the RSA block, the symmetric padding or the inner structure broke. This measures each
 * path beside the valid one, so the differences are a figure the bench prints.
 */
import { decodeDer, encodeDer } from "../asn1/codec";
import type { Trust } from "../cert/trust";
import type { CryptoProvider } from "../crypto/provider";
import { SetError } from "../errors";
import { type AuthorizationContext, openPIDualSigned } from "../purchase/gateway";
import { contentInfoOf, EnvelopedData } from "../schema/cms";
import type { PIDualSigned } from "../schema/purchase";
import { measure, type Rate } from "./measure";

export interface FailureTiming {
  /** Which layer was damaged ("none" for the valid PI). */
  readonly layer: string;
  readonly rate: Rate;
  /** What the gateway's PI check answered. */
  readonly outcome: string;
}

const Enveloped = contentInfoOf(EnvelopedData);

/** The PI with one byte of its envelope flipped: in the RSA block, or at an offset of the ciphertext. */
function damaged(pi: PIDualSigned, where: "rsaBlock" | "lastCipherByte" | "firstCipherByte"): PIDualSigned {
  const info = decodeDer(Enveloped, pi.exPIData);
  const enveloped = info.content;
  const flip = (bytes: Uint8Array, at: number) => {
    const copy = bytes.slice();
    copy[at] ^= 0x01;
    return copy;
  };
  const [recipient, ...others] = enveloped.recipientInfos;
  const eci = enveloped.encryptedContentInfo;
  const cipher = eci.encryptedContent as Uint8Array;
  const next =
    where === "rsaBlock"
      ? {
          ...enveloped,
          recipientInfos: [
            { ...recipient, encryptedKey: flip(recipient.encryptedKey, recipient.encryptedKey.length >> 1) },
            ...others,
          ],
        }
      : {
          ...enveloped,
          encryptedContentInfo: {
            ...eci,
            encryptedContent: flip(cipher, where === "lastCipherByte" ? cipher.length - 1 : 0),
          },
        };
  return { ...pi, exPIData: encodeDer(Enveloped, { ...info, content: next }) };
}

export async function measureFailureTiming(
  p: CryptoProvider,
  pi: PIDualSigned,
  ctx: AuthorizationContext,
  trust: Trust,
  seconds: number,
): Promise<FailureTiming[]> {
  const variants: [string, PIDualSigned][] = [
    ["none (valid PI)", pi],
    ["RSA block (OAEP)", damaged(pi, "rsaBlock")],
    ["symmetric padding (last ciphertext byte)", damaged(pi, "lastCipherByte")],
    ["inner structure (first ciphertext byte)", damaged(pi, "firstCipherByte")],
  ];
  const out: FailureTiming[] = [];
  for (const [layer, variant] of variants) {
    let outcome = "";
    const rate = await measure(
      `gateway PI refusal: ${layer}`,
      async () => {
        try {
          await openPIDualSigned(p, variant, ctx, trust);
          outcome = "opened";
        } catch (e) {
          outcome = e instanceof SetError ? e.code : `untyped ${(e as Error).name}`;
        }
      },
      seconds,
    );
    out.push({ layer, rate, outcome });
  }
  return out;
}
