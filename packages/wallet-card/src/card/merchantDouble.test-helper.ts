/**
 * The merchant's side of PInit and PRes for card tests, with real keys and protocol's own message
 * functions: it answers what the card sends, and each negative test bends one field.
 */
import {
  type CryptoProvider,
  decodeDer,
  parseSetCertificate,
  type Signer,
  schema,
  signPInitRes,
  signPRes,
  thumbOf,
  verifyPReqAsMerchant,
  wholeSeconds,
  withCrls,
  wrapMessage,
} from "@setlab/protocol";

export interface MerchantKeys {
  readonly signer: Signer;
  readonly gatewayKex: { certificate: Uint8Array; chain: readonly Uint8Array[] };
  readonly root: Uint8Array;
  /** The brand's BCI and CRLs, carried in PInitRes for a card that requires revocation status. */
  readonly revocation?: { readonly bci: Uint8Array; readonly crls: readonly Uint8Array[] };
}

export class MerchantDouble {
  transIDs?: schema.TransIDs;
  chall_M?: Uint8Array;
  pInitReq?: schema.PInitReq;

  constructor(
    readonly p: CryptoProvider,
    readonly keys: MerchantKeys,
  ) {}

  /** PInitRes for the card's PInitReq; `bend` changes the data before signing, `ids` the header. */
  async pInitRes(
    pInitReqMessage: Uint8Array,
    bend: (d: schema.PInitResData) => schema.PInitResData = (d) => d,
    headerIds?: (ids: {
      rrpid: Uint8Array;
      lid_C: Uint8Array;
      lid_M?: Uint8Array;
      xid: Uint8Array;
    }) => object,
  ): Promise<Uint8Array> {
    const wrapper = schema.decodeMessage(pInitReqMessage);
    if (wrapper.message.type !== "purchaseInitRequest") throw new Error("not a PInitReq");
    const req = wrapper.message.value;
    this.pInitReq = req;
    this.transIDs = {
      lid_C: req.localID_C,
      ...(req.localID_M ? { lid_M: req.localID_M } : {}),
      xid: this.p.random(20),
      pReqDate: wholeSeconds(new Date()),
      language: req.language,
    };
    this.chall_M = this.p.random(20);
    const data = bend({
      transIDs: this.transIDs,
      rrpid: req.rrpid,
      chall_C: req.chall_C,
      chall_M: this.chall_M,
      peThumb: {
        digestAlgorithm: { algorithm: schema.Std.sha256 },
        thumbprint: await thumbOf(this.p, parseSetCertificate(this.keys.gatewayKex.certificate)),
      },
    });
    const gateway = {
      ...this.keys.gatewayKex,
      ...(this.keys.revocation ? { revocation: this.keys.revocation } : {}),
    };
    const signed = await signPInitRes(this.p, this.keys.signer, data, gateway);
    const ids = {
      rrpid: data.rrpid,
      lid_C: data.transIDs.lid_C,
      lid_M: data.transIDs.lid_M,
      xid: data.transIDs.xid,
    };
    return wrapMessage({ type: "purchaseInitResponse", value: signed }, headerIds ? headerIds(ids) : ids, {
      date: new Date(),
    });
  }

  /** The merchant's verification of the card's PReq (digest 6, "Merchant"). */
  async verifyPReq(
    pReqMessage: Uint8Array,
    order: {
      od: Uint8Array;
      purchAmt: schema.CurrencyAmount;
      cardCertRequired?: boolean;
      installRecurData?: schema.InstallRecurData;
    },
  ) {
    const wrapper = schema.decodeMessage(pReqMessage);
    if (wrapper.message.type !== "purchaseRequest") throw new Error("not a PReq");
    const verified = await verifyPReqAsMerchant(
      this.p,
      wrapper.message.value,
      {
        transIDs: this.transIDs!,
        chall_M: this.chall_M,
        od: order.od,
        purchAmt: order.purchAmt,
        ...(order.installRecurData ? { installRecurData: order.installRecurData } : {}),
        brandID: this.pInitReq!.brandID,
        bin: this.pInitReq!.bin,
        cardCertRequired: order.cardCertRequired ?? true,
      },
      { pinnedRoot: this.keys.root, at: new Date() },
    );
    return { wrapper, verified, pReq: wrapper.message.value };
  }

  /**
   * PRes answering a verified PReq; with `revocation`, the BCI rides in PResData and its CRLs in
   * the SignedData, as in PInitRes.
   */
  async pRes(
    oiData: schema.OIData,
    payload: schema.PResPayload,
    bend: (d: schema.PResData) => schema.PResData = (d) => d,
    signer: Signer = this.keys.signer,
    revocation?: { readonly bci: Uint8Array; readonly crls: readonly Uint8Array[] },
  ): Promise<Uint8Array> {
    const data = bend({
      transIDs: oiData.transIDs,
      rrpid: oiData.rrpid,
      chall_C: oiData.chall_C,
      ...(revocation
        ? { brandCRLIdentifier: decodeDer(schema.BrandCRLIdentifier, revocation.bci, "BrandCRLIdentifier") }
        : {}),
      pResPayloadSeq: [payload],
    });
    const unsealed = await signPRes(this.p, signer, data);
    const signed = revocation ? withCrls(unsealed, revocation.crls) : unsealed;
    return wrapMessage(
      { type: "purchaseResponse", value: signed },
      { rrpid: data.rrpid, lid_C: data.transIDs.lid_C, lid_M: data.transIDs.lid_M, xid: data.transIDs.xid },
      { date: new Date() },
    );
  }
}
