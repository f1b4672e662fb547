/**
 * Test-only: the cardholder's side of a purchase as protocol builds it (PInitReq, the checks of
 * PInitRes, a dual-signed or unsigned PReq), with knobs to break one thing at a time.
 */
import {
  buildPReqDualSigned,
  buildPReqUnsigned,
  type CryptoProvider,
  decodeDer,
  type Signer,
  schema,
  utf8,
  verifyPInitRes,
  verifyPRes,
  wrapMessage,
} from "@setlab/protocol";
import { defaultMerchantData, PAN19, purchaseParts, type TestPki } from "@setlab/protocol/testing";

/** What the card holds: its signature key and certificate chain, its account data, the pinned root. */
export interface CardKit {
  readonly cardholder: Signer;
  readonly root: Uint8Array;
  readonly pan: string;
  readonly expiry: string;
  /** PIHead.MerchantID: the merID of the merchant the card pays. */
  readonly merchantID: string;
}

/** The kit of the test PKI's cardholder. */
export const kitOf = (pki: TestPki): CardKit => ({
  cardholder: {
    certificate: pki.cardholder.certificate,
    privateKey: pki.cardholder.privateKey,
    chain: pki.intermediatesOf("cardholder"),
  },
  root: pki.root.certificate,
  pan: PAN19,
  expiry: "202912",
  merchantID: defaultMerchantData.merID,
});

export interface CardSession {
  readonly pInitReq: Uint8Array;
  readonly rrpid: Uint8Array;
  readonly lid_C: Uint8Array;
  readonly chall_C: Uint8Array;
  readonly brandID: string;
}

export function pInitReq(
  p: CryptoProvider,
  lidM: string,
  options: { brandID?: string; bin?: string } = {},
): CardSession {
  const rrpid = p.random(20);
  const lid_C = utf8("wallet-1");
  const chall_C = p.random(20);
  const brandID = options.brandID ?? "Visa";
  const req: schema.PInitReq = {
    rrpid,
    language: "en",
    localID_C: lid_C,
    localID_M: utf8(lidM),
    chall_C,
    brandID,
    bin: options.bin ?? PAN19.slice(0, 6),
  };
  const der = wrapMessage(
    { type: "purchaseInitRequest", value: req },
    { rrpid, lid_C, lid_M: utf8(lidM) },
    { date: p.now() },
  );
  return { pInitReq: der, rrpid, lid_C, chall_C, brandID };
}

/** The card's checks of PInitRes; returns what PReq needs. */
export async function readPInitRes(
  p: CryptoProvider,
  kit: CardKit,
  session: CardSession,
  answer: Uint8Array,
) {
  const wrapper = schema.decodeMessage(answer);
  if (wrapper.message.type !== "purchaseInitResponse")
    throw new Error(`expected PInitRes, got ${wrapper.message.type}`);
  return verifyPInitRes(
    p,
    wrapper.message.value,
    { chall_C: session.chall_C, lid_C: session.lid_C, brandID: session.brandID },
    { pinnedRoot: kit.root, at: p.now() },
  );
}

export interface PReqOptions {
  readonly description: string;
  readonly purchAmt: schema.CurrencyAmount;
  readonly form?: "dualSigned" | "unsigned";
  readonly chall_M?: Uint8Array;
}

/** A PReq MessageWrapper built from a verified PInitRes. */
export async function pReq(
  p: CryptoProvider,
  kit: CardKit,
  session: CardSession,
  pInitRes: { data: schema.PInitResData; gatewayKex: { der: Uint8Array } },
  options: PReqOptions,
): Promise<{ der: Uint8Array; oiData: schema.OIData }> {
  const pInitResData = pInitRes.data;
  const transIDs = pInitResData.transIDs;
  const gatewayKexCertificate = pInitRes.gatewayKex.der;
  const { oiData, piHead, panData, panToken } = await purchaseParts(p, {
    transIDs,
    purchAmt: options.purchAmt,
    od: utf8(options.description),
    brandID: session.brandID,
    pan: kit.pan,
    cardExpiry: kit.expiry,
    merchantID: kit.merchantID,
    chall_C: session.chall_C,
    chall_M: options.chall_M ?? pInitResData.chall_M,
    swIdent: "SETLab-test/0.1",
  });
  const built =
    options.form === "unsigned"
      ? await buildPReqUnsigned(p, { gatewayKexCertificate, oiData, piHead, panToken })
      : await buildPReqDualSigned(p, {
          cardholder: kit.cardholder,
          gatewayKexCertificate,
          oiData,
          piHead,
          panData,
        });
  const value = decodeDer(schema.PReq, built.der);
  const der = wrapMessage(
    { type: "purchaseRequest", value },
    { rrpid: oiData.rrpid, lid_C: transIDs.lid_C, lid_M: transIDs.lid_M, xid: transIDs.xid },
    { date: p.now() },
  );
  return { der, oiData };
}

/** The card's checks of PRes. */
export async function readPRes(
  p: CryptoProvider,
  kit: CardKit,
  session: CardSession,
  xid: Uint8Array,
  answer: Uint8Array,
): Promise<schema.PResData> {
  const wrapper = schema.decodeMessage(answer);
  if (wrapper.message.type !== "purchaseResponse")
    throw new Error(`expected PRes, got ${wrapper.message.type}`);
  return verifyPRes(
    p,
    wrapper.message.value,
    { xid, chall_C: session.chall_C, lid_C: session.lid_C },
    { pinnedRoot: kit.root, at: p.now() },
  );
}
