/** A real PKI and a real purchase for the message tests; each negative test breaks one thing. */
import { encodeDer } from "../asn1/codec";
import { parseSetCertificate } from "../cert/setCertificate";
import { thumbOf } from "../cert/thumb";
import type { Trust } from "../cert/trust";
import type { Decrypter } from "../crypto/envelopedData";
import type { CryptoProvider } from "../crypto/provider";
import type { Signer } from "../crypto/signedMessage";
import { SetError } from "../errors";
import { buildPReqDualSigned } from "../purchase/cardholder";
import { Std } from "../schema/oids";
import type { AuthReqData, AuthResData } from "../schema/payment";
import { PI, type PInitResData, type PResData } from "../schema/purchase";
import type { PartyName, TestPki } from "../testing/pki";
import { defaultMerchantData } from "../testing/pki";
import { type PurchaseFixture, purchaseFixture } from "../testing/purchaseFixture";

export interface MessageFixture {
  f: PurchaseFixture;
  pki: TestPki;
  trust: Trust;
  signer(name: PartyName): Signer;
  /** The merchant's signature key with its key-exchange certificate carried, as AuthReq needs. */
  authSigner(): Signer;
  decrypter(name: PartyName): Decrypter;
  pInitResData: PInitResData;
  piDer: Uint8Array;
  authReqData: AuthReqData;
  authResData: AuthResData;
  pResData: PResData;
}

export async function certThumb(p: CryptoProvider, der: Uint8Array) {
  return {
    digestAlgorithm: { algorithm: Std.sha256 },
    thumbprint: await thumbOf(p, parseSetCertificate(der)),
  };
}

export async function messageFixture(p: CryptoProvider, pki: TestPki, seed = 0): Promise<MessageFixture> {
  const f = await purchaseFixture(p, { pki, seed });
  const { transIDs } = f.order;
  const signer = (name: PartyName): Signer => ({
    certificate: pki[name].certificate,
    privateKey: pki[name].privateKey,
    chain: pki.intermediatesOf(name),
  });
  const decrypter = (name: PartyName): Decrypter => ({
    certificate: pki[name].certificate,
    privateKey: pki[name].privateKey,
  });
  const pInitResData: PInitResData = {
    transIDs,
    rrpid: f.input.oiData.rrpid,
    chall_C: f.input.oiData.chall_C,
    chall_M: f.order.chall_M ?? new Uint8Array(20),
    peThumb: await certThumb(p, pki.gatewayKex.certificate),
  };
  const { pReq } = await buildPReqDualSigned(p, f.input);
  const piDer = encodeDer(PI, { type: "piDualSigned", value: pReq.piDualSigned });
  const authTags = {
    authRRTags: {
      rrpid: new Uint8Array(20).fill(0xc0 + seed),
      merTermIDs: { merchantID: defaultMerchantData.merID },
      currentDate: new Date(Date.UTC(2026, 10, 25, 12, 0, 1)),
    },
    transIDs,
  };
  const authReqData: AuthReqData = {
    authReqItem: {
      authTags,
      checkDigests: { hOIData: f.input.oiData.hod, hOD2: f.input.oiData.hod },
      authReqPayload: { subsequentAuthInd: false, authReqAmt: f.order.purchAmt, requestCardTypeInd: false },
    },
    captureNow: false,
  };
  const authResData: AuthResData = {
    authTags,
    authResPayload: {
      authHeader: { authAmt: f.order.purchAmt, authCode: "approved", responseData: {} },
    },
  };
  const pResData: PResData = {
    transIDs,
    rrpid: f.input.oiData.rrpid,
    chall_C: f.input.oiData.chall_C,
    pResPayloadSeq: [{ completionCode: "authorizationPerformed" }],
  };
  return {
    f,
    pki,
    trust: f.trust,
    signer,
    authSigner: () => {
      const sig = signer("merchantSig");
      return { ...sig, chain: [pki.merchantKex.certificate, ...(sig.chain ?? [])] };
    },
    decrypter,
    pInitResData,
    piDer,
    authReqData,
    authResData,
    pResData,
  };
}

/** The SetError a promise rejects with (fails the test if it resolves or throws something else). */
export async function rejection(promise: Promise<unknown>): Promise<SetError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof SetError)) throw new Error(`expected a SetError, got ${String(error)}`);
  return error;
}

export const flip = (bytes: Uint8Array, at: number) => {
  const copy = new Uint8Array(bytes);
  copy[at < 0 ? copy.length + at : at] ^= 0x01;
  return copy;
};
