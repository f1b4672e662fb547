/**
 * L(t1, t2) = {t1, DD(t2)}: carry t1 with a typed digest pointing at t2, which travels elsewhere
 * (as baggage, in an RSA block, or not at all, as with the dual signature's halves).
 */
import { decodeDer, encodeDer } from "../asn1/codec";
import { Linkage } from "../schema/extraBlock";
import { checkDD, DD } from "./digest";
import type { CryptoProvider } from "./provider";

/** DER of L(t1, t2); t1 and t2 are DER, t2 typed `t2ContentType`. */
export async function L(
  p: CryptoProvider,
  t1: Uint8Array,
  t2: Uint8Array,
  t2ContentType: string,
): Promise<Uint8Array> {
  return encodeDer(Linkage, { t: t1, dd: await DD(p, t2, t2ContentType) });
}

/** Check that `linkage` points at `t2` and return DER(t1); a mismatch is `signatureFailure`. */
export async function checkL(
  p: CryptoProvider,
  linkage: Uint8Array,
  t2: Uint8Array,
  t2ContentType: string,
  where = "Linkage",
): Promise<Uint8Array> {
  const value = decodeDer(Linkage, linkage, where);
  await checkDD(p, value.dd, t2, t2ContentType, `${where}.dd`);
  return value.t;
}
