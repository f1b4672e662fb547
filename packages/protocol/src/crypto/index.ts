/** SET's cryptographic operators (digest section 2.1) over CMS, with an injected crypto provider. */
export { deterministic } from "./deterministic";
export { checkDD, DD, H, HMAC } from "./digest";
export {
  Enc,
  EncK,
  type OpenOptions,
  openEnc,
  openEncK,
  type SignedEnvelopeTypes,
} from "./enc";
export {
  type BaggageTypes,
  EncB,
  EncBX,
  type OpenedEncBX,
  type OpenedWithBaggage,
  openEncB,
  openEncBX,
  type WithBaggage,
} from "./encB";
export { EK, openEK } from "./encryptedMessage";
export { EncX, type OpenedEncX, openEncX } from "./encX";
export { E, openE } from "./envelope";
export {
  type Decrypter,
  decryptionFailed,
  issuerAndSerialNumberOf,
  oaepCapacity,
  recipientIds,
} from "./envelopedData";
export { EH, EX, EXH, type ExtraTypes, type OpenedX, openEH, openEX, openEXH } from "./extraEnvelope";
export { checkL, L } from "./linkage";
export {
  type CryptoProvider,
  defaultProvider,
  nodeProvider,
  peculiarProvider,
  webCryptoProvider,
} from "./provider";
export {
  S,
  type Signer,
  type SignOptions,
  SO,
  type VerifiedSignature,
  type VerifiedSignedMessage,
  type VerifyOptions,
  verifyS,
  verifySO,
} from "./signedMessage";
