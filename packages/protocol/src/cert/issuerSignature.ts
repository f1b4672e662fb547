/** Whether `signature` over `tbs` verifies with the issuer certificate's RSA key (certificates and CRLs alike). */
import type { SetCertificate } from "./setCertificate";

export async function issuerSignatureVerifies(
  crypto: Crypto,
  issuer: SetCertificate,
  signature: Uint8Array,
  tbs: Uint8Array,
): Promise<boolean> {
  try {
    const key = await crypto.subtle.importKey(
      "spki",
      new Uint8Array(issuer.spki),
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      false,
      ["verify"],
    );
    return await crypto.subtle.verify(
      "RSASSA-PKCS1-v1_5",
      key,
      new Uint8Array(signature),
      new Uint8Array(tbs),
    );
  } catch {
    return false;
  }
}
