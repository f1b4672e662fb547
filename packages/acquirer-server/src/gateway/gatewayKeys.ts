/**
 * The gateway's keys, one set per brand it serves: a signature key (AuthRes, signed Errors) and a
 * key-exchange key (the AuthReq envelope and the PI's EX block). An AuthReq names the key it was
 * sealed to in its RecipientInfo (issuer and serial number of our key-exchange certificate); that
 * choice also tells which brand the request is for.
 */
import {
  bytesEqual,
  type Decrypter,
  decryptionFailed,
  issuerAndSerialNumberOf,
  recipientIds,
  type Signer,
} from "@setlab/protocol";

export interface GatewayBrandKeys {
  /** BrandID, as the certificates' subject O= carries it. */
  readonly brand: string;
  readonly signer: Signer;
  readonly decrypter: Decrypter;
}

/**
 * The brand keys whose key-exchange certificate the envelope was sealed to. Anything else (an
 * unreadable envelope, another recipient) is the one generic decryption failure.
 */
export function keysForEnvelope(envelope: Uint8Array, keys: readonly GatewayBrandKeys[]): GatewayBrandKeys {
  const ids = recipientIds(envelope);
  const found = keys.find((k) => {
    const ours = issuerAndSerialNumberOf(k.decrypter.certificate);
    return ids.some((id) => bytesEqual(id, ours));
  });
  if (!found) throw decryptionFailed();
  return found;
}
