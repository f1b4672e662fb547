/**
 * docs/wire-profile.md, pinned: for each message a purchase puts on the wire, the content type of
 * every CMS layer, the certificates and CRLs each layer carries, the signed attributes, every
 * AlgorithmIdentifier with its parameters, and the exact input of every hash. Each `it` names a
 * row group of the document. The messages are built by the writers both ends use and read back
 * here by the schema codecs and plain SHA-256, not by the receive functions.
 */
import { createHash, createHmac } from "node:crypto";
import { decodeDer, encodeDer } from "../asn1/codec";
import { octets, oid } from "../asn1/primitives";
import { bytesEqual, compareBytes } from "../asn1/tlv";
import type { SignedEnvelopeTypes } from "../crypto/enc";
import { openE } from "../crypto/envelope";
import { issuerAndSerialNumberOf } from "../crypto/envelopedData";
import { unsealExtra } from "../crypto/extraEnvelope";
import { nodeProvider } from "../crypto/provider";
import { SetError } from "../errors";
import { buildPReqDualSigned, buildPReqUnsigned } from "../purchase/cardholder";
import { BrandCRLIdentifier, UnsignedBrandCRLIdentifier } from "../schema/certExtensions";
import { contentInfoOf, EnvelopedData, SignedAttributes, SignedData } from "../schema/cms";
import { type DetachedDigest, TransIDs } from "../schema/common";
import { Linkage } from "../schema/extraBlock";
import { decodeMessage } from "../schema/message";
import { ContentType, SetLab, Std } from "../schema/oids";
import {
  AuthReqData,
  AuthResBaggage,
  AuthRevReqBaggage,
  type AuthRevReqData,
  AuthRevResBaggage,
  AuthRevResData,
  AuthTokenData,
  AuthTokenOpaque,
  BatchAdminReqData,
  BatchAdminResData,
  type CapReqData,
  CapResData,
  CapRevOrCredReqData,
  CapRevOrCredResData,
  CapTokenData,
  CapTokenOpaque,
  CapTokenSeq,
} from "../schema/payment";
import {
  HODInput,
  InstallRecurData,
  OIData,
  PANData,
  PANToken,
  PI,
  PI_OILink,
  PI_TBS,
  PIData,
  PIDataUnsigned,
} from "../schema/purchase";
import { Certificate, CertificateList } from "../schema/x509";
import type { PartyName, TestPki } from "../testing/pki";
import { createTestPki } from "../testing/pki";
import { revocationFixture } from "../testing/revocation";
import { sealAuthReq } from "./authReq";
import { sealAuthRes } from "./authRes";
import { sealAuthRevReq } from "./authRevReq";
import { sealAuthRevRes } from "./authRevRes";
import { sealAuthToken } from "./authToken";
import { sealBatchAdminReq, sealBatchAdminRes } from "./batchAdmin";
import { sealCapReq } from "./capReq";
import { sealCapRes } from "./capRes";
import { capRevOrCredKinds, sealCapRevOrCredReq, sealCapRevOrCredRes } from "./capRevOrCred";
import { sealCapToken } from "./capToken";
import { errorMessage } from "./errorMessage";
import { type MessageFixture, messageFixture } from "./fixture.test-helper";
import { buildInqReq } from "./inqReq";
import { signInqRes } from "./inqRes";
import { signPCertReq } from "./pCertReq";
import { signPCertRes } from "./pCertRes";
import { signPInitRes } from "./pInit";
import { signPRes } from "./pRes";
import { authTokenPIDer, sealSubsequentAuthReq, subsequentAuthReqData } from "./subsequentAuthReq";

const p = nodeProvider();
let pki: TestPki;
let m: MessageFixture;
beforeAll(async () => {
  pki = await createTestPki(p);
  m = await messageFixture(p, pki);
});

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const sha256 = (b: Uint8Array) => new Uint8Array(createHash("sha256").update(b).digest());

/** The AlgorithmIdentifiers of the profile, as DER hex: one form each, whatever the structure. */
const SHA256 = "300b0609608648016503040201"; // parameters absent
const SHA256_WITH_RSA = "300d06092a864886f70d01010b0500"; // parameters NULL
const RSA_ENCRYPTION = "300d06092a864886f70d0101010500"; // parameters NULL
/** RSAES-OAEP-params {[0] SHA-256, [1] MGF1 {SHA-256}}; pSourceAlgorithm left at its default. */
const OAEP_PARAMS = `302ba00d${SHA256}a11a301806092a864886f70d010108${SHA256}`;

/** DER hex of an AlgorithmIdentifier value as the codecs read it (the OID, then the parameters' DER). */
const algorithmHex = (a: { algorithm: string; parameters?: Uint8Array }) => {
  const der = encodeDer(oid(), a.algorithm);
  const params = a.parameters ?? new Uint8Array(0);
  const body = Buffer.concat([der, params]);
  return `30${body.length.toString(16).padStart(2, "0")}${body.toString("hex")}`;
};

const SignedMessage = contentInfoOf(SignedData);
const EnvelopedMessage = contentInfoOf(EnvelopedData);
const certificatesOf = (names: readonly PartyName[]) => names.map((n) => pki[n].certificate);
const sortedHex = (list: readonly Uint8Array[]) => list.map(hex).sort();

function expectDerOrder(list: readonly Uint8Array[]): void {
  for (let i = 1; i < list.length; i++) expect(compareBytes(list[i - 1], list[i])).toBeLessThanOrEqual(0);
}

/** Every certificate, CRL and BCI is signed sha256WithRSAEncryption (NULL) over an rsaEncryption (NULL) key. */
function expectX509Algorithms(certificates: readonly Uint8Array[], crls: readonly Uint8Array[] = []): void {
  for (const der of certificates) {
    const c = decodeDer(Certificate, der);
    expect(algorithmHex(c.signatureAlgorithm)).toBe(SHA256_WITH_RSA);
    expect(algorithmHex(c.tbsCertificate.value.signature)).toBe(SHA256_WITH_RSA);
    expect(algorithmHex(c.tbsCertificate.value.subjectPublicKeyInfo.value.algorithm)).toBe(RSA_ENCRYPTION);
  }
  for (const der of crls) {
    const c = decodeDer(CertificateList, der);
    expect(algorithmHex(c.signatureAlgorithm)).toBe(SHA256_WITH_RSA);
    expect(algorithmHex(c.tbsCertList.value.signature)).toBe(SHA256_WITH_RSA);
  }
}

/**
 * One SignedData layer: its content type, S (content inside) or SO (detached), the certificates
 * it carries (as a set, in DER order), SHA-256 and sha256WithRSAEncryption in their one form, and
 * exactly the signed attributes contentType, signingTime (UTCTime) and messageDigest = SHA-256 of
 * the content's DER. Returns the content.
 */
function expectSignedLayer(
  msg: Uint8Array,
  expected: {
    eContentType: string;
    certificates: readonly PartyName[];
    detached?: Uint8Array;
    /** The signer, when it is not the first certificate carried (a layer that carries none). */
    signer?: PartyName;
  },
): Uint8Array {
  const info = decodeDer(SignedMessage, msg);
  expect(info.contentType).toBe(Std.signedData);
  const sd = info.content;
  expect(sd.version).toBe(3);
  expect(sd.digestAlgorithms.map(algorithmHex)).toEqual([SHA256]);
  expect(sd.encapContentInfo.eContentType).toBe(expected.eContentType);
  expect(sd.encapContentInfo.eContent === undefined).toBe(expected.detached !== undefined);
  const content = expected.detached ?? (sd.encapContentInfo.eContent as Uint8Array);
  const carried = sd.certificates ?? [];
  expect(sortedHex(carried)).toEqual(sortedHex(certificatesOf(expected.certificates)));
  expectDerOrder(carried);
  expectX509Algorithms(carried);
  expect(sd.crls).toBeUndefined();
  expect(sd.signerInfos).toHaveLength(1);
  const si = sd.signerInfos[0];
  expect(si.version).toBe(1);
  const signer = expected.signer ?? expected.certificates[0];
  expect(hex(si.sid)).toBe(hex(issuerAndSerialNumberOf(pki[signer].certificate)));
  expect(algorithmHex(si.digestAlgorithm)).toBe(SHA256);
  expect(algorithmHex(si.signatureAlgorithm)).toBe(SHA256_WITH_RSA);
  const signed = new Uint8Array(si.signedAttrs as Uint8Array);
  expect(signed[0]).toBe(0xa0);
  signed[0] = 0x31;
  const attrs = decodeDer(SignedAttributes, signed);
  expect(attrs.map((a) => a.attrType).sort()).toEqual(
    [Std.contentTypeAttr, Std.messageDigestAttr, Std.signingTimeAttr].sort(),
  );
  const value = (type: string) => attrs.find((a) => a.attrType === type)?.attrValues;
  expect(value(Std.contentTypeAttr)).toEqual([encodeDer(oid(), expected.eContentType)]);
  expect(value(Std.messageDigestAttr)).toEqual([encodeDer(octets(), sha256(content))]);
  const time = value(Std.signingTimeAttr);
  expect(time).toHaveLength(1);
  expect(time?.[0][0]).toBe(0x17); // UTCTime YYMMDDHHMMSSZ through 2049
  expect(time?.[0].length).toBe(15);
  return content;
}

/**
 * One EnvelopedData layer: its content type, one KeyTransRecipientInfo naming `recipient` by
 * issuer and serial number with RSA-OAEP (SHA-256, MGF1-SHA-256) under `keyTransport`, and
 * AES-256-CBC content with a 16-byte IV.
 */
function expectEnvelopeLayer(
  msg: Uint8Array,
  expected: { contentType: string; keyTransport: string; recipient: PartyName },
): void {
  const info = decodeDer(EnvelopedMessage, msg);
  expect(info.contentType).toBe(Std.envelopedData);
  const env = info.content;
  expect(env.version).toBe(0);
  expect(env.recipientInfos).toHaveLength(1);
  const ri = env.recipientInfos[0];
  expect(ri.version).toBe(0);
  expect(hex(ri.rid)).toBe(hex(issuerAndSerialNumberOf(pki[expected.recipient].certificate)));
  expect(ri.keyEncryptionAlgorithm.algorithm).toBe(expected.keyTransport);
  expect(hex(ri.keyEncryptionAlgorithm.parameters as Uint8Array)).toBe(OAEP_PARAMS);
  expect(ri.encryptedKey).toHaveLength(256);
  const eci = env.encryptedContentInfo;
  expect(eci.contentType).toBe(expected.contentType);
  expect(eci.contentEncryptionAlgorithm.algorithm).toBe(Std.aes256cbc);
  expect(eci.contentEncryptionAlgorithm.parameters?.slice(0, 2)).toEqual(Uint8Array.of(0x04, 0x10));
  expect(eci.contentEncryptionAlgorithm.parameters).toHaveLength(18);
  expect((eci.encryptedContent as Uint8Array).length % 16).toBe(0);
}

/** DD(t): DigestedData-shaped, version 2, SHA-256 (parameters absent), t's content type, SHA-256 of DER(t). */
function expectDD(dd: DetachedDigest, der: Uint8Array, contentType: string): void {
  expect(dd.version).toBe(2);
  expect(algorithmHex(dd.digestAlgorithm)).toBe(SHA256);
  expect(dd.encapContentInfo.eContentType).toBe(contentType);
  expect(hex(dd.digest)).toBe(hex(sha256(der)));
}

const merchantSigPath: PartyName[] = ["merchantSig", "merchantCa", "brandCa"];

/**
 * A token the gateway seals to itself (CapToken, AuthToken): E(P, S(P, t)), OAEP to its own
 * key-exchange certificate, no certificate in the S (the gateway holds its own). Returns DER(t).
 */
async function expectGatewayToken(sealed: Uint8Array, types: SignedEnvelopeTypes): Promise<Uint8Array> {
  expectEnvelopeLayer(sealed, {
    contentType: types.enveloped,
    keyTransport: Std.rsaesOaep,
    recipient: "gatewayKex",
  });
  const signed = await openE(p, m.decrypter("gatewayKex"), sealed, { contentType: types.enveloped });
  return expectSignedLayer(signed, { eContentType: types.signed, certificates: [], signer: "gatewaySig" });
}

describe("docs/wire-profile.md", () => {
  it("PInitRes: S(M, PInitResData) with the merchant's path, the gateway key-exchange certificate and its path, the BCI inside, the CRLs in crls", async () => {
    const revocation = await revocationFixture(p, pki);
    const signed = await signPInitRes(p, m.signer("merchantSig"), m.pInitResData, {
      certificate: pki.gatewayKex.certificate,
      chain: pki.intermediatesOf("gatewayKex"),
      revocation,
    });
    const sd = decodeDer(SignedMessage, signed).content;
    // The CRLs ride in SignedData.crls, sorted; the BCI inside the signed PInitResData.
    expect(sortedHex(sd.crls ?? [])).toEqual(sortedHex(revocation.crls));
    expectDerOrder(sd.crls ?? []);
    expectX509Algorithms([], sd.crls ?? []);
    const bci = decodeDer(BrandCRLIdentifier, revocation.bci);
    expect(algorithmHex(bci.signatureAlgorithm)).toBe(SHA256_WITH_RSA);
    const { crls: _crls, ...withoutCrls } = sd;
    const bare = encodeDer(SignedMessage, { contentType: Std.signedData, content: withoutCrls });
    const content = expectSignedLayer(bare, {
      eContentType: ContentType.PInitResData,
      certificates: [...merchantSigPath, "gatewayKex", "gatewayCa"],
    });
    expect(Buffer.from(content).includes(Buffer.from(revocation.bci))).toBe(true);
  });

  it("PReq dual-signed: the hash inputs of HOD, OIData, PIData, PI-TBS, and the layers of PIDualSigned", async () => {
    const f = m.f;
    const built = await buildPReqDualSigned(p, f.input);
    const { oiDualSigned, piDualSigned } = built.pReq;
    // HOD = DD(HODInput {OD, PurchAmt, ODSalt}), typed HODInput.
    expectDD(
      f.input.oiData.hod,
      encodeDer(HODInput, { od: f.order.od, purchAmt: f.order.purchAmt, odSalt: f.input.oiData.odSalt }),
      ContentType.HODInput,
    );
    // OIDualSigned.hPIData = DD(PIData {PIHead, PANData}), typed PIData.
    const piData = encodeDer(PIData, { piHead: f.input.piHead, panData: f.input.panData });
    expectDD(oiDualSigned.hPIData, piData, ContentType.PIData);
    // The dual signature: SO(C, PI-TBS {DD(PIData), DD(OIData)}), the cardholder's path carried.
    const oiDataDer = encodeDer(OIData, oiDualSigned.oiData);
    const piTbs = encodeDer(PI_TBS, {
      hPIData: oiDualSigned.hPIData,
      hOIData: {
        version: 2,
        digestAlgorithm: { algorithm: Std.sha256 },
        encapContentInfo: { eContentType: ContentType.OIData },
        digest: sha256(oiDataDer),
      },
    });
    expectSignedLayer(piDualSigned.piSignature, {
      eContentType: ContentType.PI_TBS,
      certificates: ["cardholder", "cardholderCa", "brandCa"],
      detached: piTbs,
    });
    // exPIData = EX(P, PI-OILink, PANData): symmetric part Linkage {PI-OILink, DD(PANData)} typed
    // PIDualSignedTBE; the RSA-OAEP block is ExtraBlock {contentKey, extra [1] PANData}, no hash.
    expectEnvelopeLayer(piDualSigned.exPIData, {
      contentType: ContentType.PIDualSignedTBE,
      keyTransport: SetLab.rsaOaepExtraBlock,
      recipient: "gatewayKex",
    });
    const opened = await unsealExtra(
      p,
      m.decrypter("gatewayKex"),
      piDualSigned.exPIData,
      ContentType.PIDualSignedTBE,
      { withHash: false, withExtra: true },
    );
    expect(hex(opened.extra as Uint8Array)).toBe(hex(encodeDer(PANData, f.input.panData)));
    const linkage = decodeDer(Linkage, opened.plaintext);
    expect(hex(linkage.t)).toBe(
      hex(encodeDer(PI_OILink, { piHead: f.input.piHead, hOIData: decodeDer(PI_TBS, piTbs).hOIData })),
    );
    expectDD(linkage.dd, encodeDer(PANData, f.input.panData), ContentType.PANData);
    // TransStain = HMAC-SHA-256 keyed with CardSecret over the 20 octets of the XID.
    const cardSecret = new Uint8Array(20).fill(0x80);
    expect(hex(f.input.piHead.transStain)).toBe(
      hex(createHmac("sha256", cardSecret).update(f.input.piHead.transIDs.xid).digest()),
    );
    // OIData and PIHead carry the same TransIDs and HOD.
    expect(hex(encodeDer(TransIDs, f.input.oiData.transIDs))).toBe(
      hex(encodeDer(TransIDs, f.input.piHead.transIDs)),
    );
  });

  it("PReq unsigned: DD(PIDataUnsigned), and EXH with the hash of its symmetric part in the RSA block", async () => {
    const f = m.f;
    const panToken = {
      pan: f.input.panData.pan,
      cardExpiry: f.input.panData.cardExpiry,
      exNonce: f.input.panData.exNonce,
    };
    const built = await buildPReqUnsigned(p, {
      gatewayKexCertificate: pki.gatewayKex.certificate,
      oiData: f.input.oiData,
      piHead: f.input.piHead,
      panToken,
    });
    const { oiUnsigned, piUnsigned } = built.pReq;
    expectDD(
      oiUnsigned.hPIDataUnsigned,
      encodeDer(PIDataUnsigned, { piHead: f.input.piHead, panToken }),
      ContentType.PIDataUnsigned,
    );
    expectEnvelopeLayer(piUnsigned, {
      contentType: ContentType.PIUnsignedTBE,
      keyTransport: SetLab.rsaOaepExtraBlock,
      recipient: "gatewayKex",
    });
    const opened = await unsealExtra(p, m.decrypter("gatewayKex"), piUnsigned, ContentType.PIUnsignedTBE, {
      withHash: true,
      withExtra: true,
    });
    expect(hex(opened.extra as Uint8Array)).toBe(hex(encodeDer(PANToken, panToken)));
    expectDD(decodeDer(Linkage, opened.plaintext).dd, encodeDer(PANToken, panToken), ContentType.PANToken);
  });

  it("AuthReq: E(P, S(M, Linkage {AuthReqData, DD(PI)})) with the merchant's signature and key-exchange certificates, PI beside it", async () => {
    const sealed = await sealAuthReq(
      p,
      {
        ...m.signer("merchantSig"),
        chain: [pki.merchantKex.certificate, ...pki.intermediatesOf("merchantSig")],
      },
      pki.gatewayKex.certificate,
      m.authReqData,
      m.piDer,
    );
    expect(hex(sealed.pi)).toBe(hex(m.piDer));
    expectEnvelopeLayer(sealed.authReqEnvelope, {
      contentType: ContentType.AuthReqTBE,
      keyTransport: Std.rsaesOaep,
      recipient: "gatewayKex",
    });
    const inner = await openE(p, m.decrypter("gatewayKex"), sealed.authReqEnvelope, {
      contentType: ContentType.AuthReqTBE,
    });
    const linked = expectSignedLayer(inner, {
      eContentType: ContentType.AuthReqTBS,
      certificates: [...merchantSigPath, "merchantKex"],
    });
    const linkage = decodeDer(Linkage, linked);
    expectDD(linkage.dd, m.piDer, ContentType.PI);
    expect(decodeDer(PI, m.piDer).type).toBe("piDualSigned");
  });

  it("AuthRes: E(M, S(P, Linkage {AuthResData, DD(AuthResBaggage)})) with the gateway's signature path, the baggage beside it", async () => {
    const baggage = {};
    const sealed = await sealAuthRes(
      p,
      m.signer("gatewaySig"),
      pki.merchantKex.certificate,
      m.authResData,
      baggage,
    );
    if (sealed.type !== "encB") throw new Error("not encB");
    expectEnvelopeLayer(sealed.value.authResEnvelope, {
      contentType: ContentType.AuthResTBE,
      keyTransport: Std.rsaesOaep,
      recipient: "merchantKex",
    });
    const inner = await openE(p, m.decrypter("merchantKex"), sealed.value.authResEnvelope, {
      contentType: ContentType.AuthResTBE,
    });
    const linked = expectSignedLayer(inner, {
      eContentType: ContentType.AuthResTBS,
      certificates: ["gatewaySig", "gatewayCa", "brandCa"],
    });
    expectDD(decodeDer(Linkage, linked).dd, encodeDer(AuthResBaggage, baggage), ContentType.AuthResBaggage);
  });

  it("CapToken, CapReq, CapRes: the gateway's token sealed to itself, the merchant's CapReq with the tokens beside it, the CapRes to the merchant", async () => {
    const capToken = await sealCapToken(
      p,
      { signer: m.signer("gatewaySig"), decrypter: m.decrypter("gatewayKex") },
      { authRRPID: m.authResData.authTags.authRRTags.rrpid, authAmt: m.f.order.purchAmt },
      { xid: m.f.order.transIDs.xid, merchantID: "SETLAB-MER-0001", authRecordID: "r1" },
    );
    if (capToken.type !== "enc") throw new Error("not enc");
    const tokenData = decodeDer(
      CapTokenData,
      await expectGatewayToken(capToken.value, {
        enveloped: ContentType.CapTokenTBE,
        signed: ContentType.CapTokenTBS,
      }),
    );
    expect(decodeDer(CapTokenOpaque, tokenData.tokenOpaque).authRecordID).toBe("r1");

    const capReqData: CapReqData = {
      capRRTags: m.authResData.authTags.authRRTags,
      capItemSeq: [
        {
          transIDs: m.f.order.transIDs,
          authRRPID: m.authResData.authTags.authRRTags.rrpid,
          capPayload: {
            capDate: m.authResData.authTags.authRRTags.currentDate,
            capReqAmt: m.f.order.purchAmt,
          },
        },
      ],
    };
    const capReq = await sealCapReq(p, m.authSigner(), pki.gatewayKex.certificate, capReqData, [capToken]);
    if (capReq.type !== "encB") throw new Error("not encB");
    expectEnvelopeLayer(capReq.value.envelope, {
      contentType: ContentType.CapReqTBE,
      keyTransport: Std.rsaesOaep,
      recipient: "gatewayKex",
    });
    const reqInner = await openE(p, m.decrypter("gatewayKex"), capReq.value.envelope, {
      contentType: ContentType.CapReqTBE,
    });
    const reqLinked = expectSignedLayer(reqInner, {
      eContentType: ContentType.CapReqTBS,
      certificates: [...merchantSigPath, "merchantKex"],
    });
    expectDD(decodeDer(Linkage, reqLinked).dd, encodeDer(CapTokenSeq, [capToken]), ContentType.CapTokenSeq);

    const capResData: CapResData = {
      capRRTags: capReqData.capRRTags,
      capResItemSeq: [
        {
          transIDs: m.f.order.transIDs,
          authRRPID: m.authResData.authTags.authRRTags.rrpid,
          capResPayload: { capCode: "success", capAmt: m.f.order.purchAmt },
        },
      ],
    };
    const capRes = await sealCapRes(p, m.signer("gatewaySig"), pki.merchantKex.certificate, capResData);
    expectEnvelopeLayer(capRes, {
      contentType: ContentType.CapResTBE,
      keyTransport: Std.rsaesOaep,
      recipient: "merchantKex",
    });
    const resInner = await openE(p, m.decrypter("merchantKex"), capRes, {
      contentType: ContentType.CapResTBE,
    });
    const resContent = expectSignedLayer(resInner, {
      eContentType: ContentType.CapResData,
      certificates: ["gatewaySig", "gatewayCa", "brandCa"],
    });
    expect(decodeDer(CapResData, resContent)).toEqual(capResData);
  });

  it("BatchAdminReq, BatchAdminRes: Enc(M, P, BatchAdminReqData) with both merchant certificates, Enc(P, M, BatchAdminResData)", async () => {
    const reqData: BatchAdminReqData = {
      batchAdminRRTags: m.authResData.authTags.authRRTags,
      batchID: 0,
      batchOperation: "close",
    };
    const req = await sealBatchAdminReq(p, m.authSigner(), pki.gatewayKex.certificate, reqData);
    expectEnvelopeLayer(req, {
      contentType: ContentType.BatchAdminReqTBE,
      keyTransport: Std.rsaesOaep,
      recipient: "gatewayKex",
    });
    const reqInner = await openE(p, m.decrypter("gatewayKex"), req, {
      contentType: ContentType.BatchAdminReqTBE,
    });
    const reqContent = expectSignedLayer(reqInner, {
      eContentType: ContentType.BatchAdminReqData,
      certificates: [...merchantSigPath, "merchantKex"],
    });
    expect(decodeDer(BatchAdminReqData, reqContent)).toEqual(reqData);
    const resData: BatchAdminResData = {
      batchAdminRRTags: reqData.batchAdminRRTags,
      batchID: 4,
      batchAdminCode: "success",
      batchStatus: { batchID: 4, openDateTime: reqData.batchAdminRRTags.currentDate, transactionCount: 1 },
      batchTotals: [
        {
          brandID: "Visa",
          salesCount: 1,
          salesAmount: m.f.order.purchAmt,
          creditCount: 0,
          creditAmount: { ...m.f.order.purchAmt, amount: 0 },
        },
      ],
    };
    const res = await sealBatchAdminRes(p, m.signer("gatewaySig"), pki.merchantKex.certificate, resData);
    expectEnvelopeLayer(res, {
      contentType: ContentType.BatchAdminResTBE,
      keyTransport: Std.rsaesOaep,
      recipient: "merchantKex",
    });
    const resInner = await openE(p, m.decrypter("merchantKex"), res, {
      contentType: ContentType.BatchAdminResTBE,
    });
    const resContent = expectSignedLayer(resInner, {
      eContentType: ContentType.BatchAdminResData,
      certificates: ["gatewaySig", "gatewayCa", "brandCa"],
    });
    expect(decodeDer(BatchAdminResData, resContent)).toEqual(resData);
  });

  it.each(["captureReversal", "credit", "creditReversal"] as const)(
    "%s: the request as CapReq's pair with its own content types, the answer Enc(P, M, CapRevOrCredResData)",
    async (kind) => {
      const k = capRevOrCredKinds[kind];
      const capToken = await sealCapToken(
        p,
        { signer: m.signer("gatewaySig"), decrypter: m.decrypter("gatewayKex") },
        { authRRPID: m.authResData.authTags.authRRTags.rrpid, authAmt: m.f.order.purchAmt },
        { xid: m.f.order.transIDs.xid, merchantID: "SETLAB-MER-0001", authRecordID: "r1" },
      );
      const date = m.authResData.authTags.authRRTags.currentDate;
      const data: CapRevOrCredReqData = {
        capRevOrCredRRTags: m.authResData.authTags.authRRTags,
        capRevOrCredReqItemSeq: [
          {
            transIDs: m.f.order.transIDs,
            authRRPID: m.authResData.authTags.authRRTags.rrpid,
            capPayload: { capDate: date, capReqAmt: m.f.order.purchAmt },
            capRevOrCredReqDate: date,
            capRevOrCredReqAmt: m.f.order.purchAmt,
            newAccountInd: false,
          },
        ],
      };
      const request = await sealCapRevOrCredReq(p, kind, m.authSigner(), pki.gatewayKex.certificate, data, [
        capToken,
      ]);
      if (request.type !== "encB") throw new Error("not encB");
      expectEnvelopeLayer(request.value.envelope, {
        contentType: k.requestTypes.enveloped,
        keyTransport: Std.rsaesOaep,
        recipient: "gatewayKex",
      });
      const inner = await openE(p, m.decrypter("gatewayKex"), request.value.envelope, {
        contentType: k.requestTypes.enveloped,
      });
      const linked = decodeDer(
        Linkage,
        expectSignedLayer(inner, {
          eContentType: k.requestTypes.signed,
          certificates: [...merchantSigPath, "merchantKex"],
        }),
      );
      expectDD(linked.dd, encodeDer(CapTokenSeq, [capToken]), ContentType.CapTokenSeq);
      expect(decodeDer(CapRevOrCredReqData, linked.t)).toEqual(data);
      const resData: CapRevOrCredResData = {
        capRevOrCredRRTags: data.capRevOrCredRRTags,
        capRevOrCredResItemSeq: [
          {
            transIDs: m.f.order.transIDs,
            authRRPID: m.authResData.authTags.authRRTags.rrpid,
            capRevOrCredResPayload: {
              capRevOrCredCode: "success",
              capRevOrCredActualAmt: m.f.order.purchAmt,
            },
          },
        ],
      };
      const response = await sealCapRevOrCredRes(
        p,
        kind,
        m.signer("gatewaySig"),
        pki.merchantKex.certificate,
        resData,
      );
      expectEnvelopeLayer(response, {
        contentType: k.responseTypes.enveloped,
        keyTransport: Std.rsaesOaep,
        recipient: "merchantKex",
      });
      const resInner = await openE(p, m.decrypter("merchantKex"), response, {
        contentType: k.responseTypes.enveloped,
      });
      const content = expectSignedLayer(resInner, {
        eContentType: k.responseTypes.signed,
        certificates: ["gatewaySig", "gatewayCa", "brandCa"],
      });
      expect(decodeDer(CapRevOrCredResData, content)).toEqual(resData);
    },
  );
  it("AuthRevReq, AuthRevRes: EncB with the PI and CapToken as the request's baggage, the new CapToken as the answer's", async () => {
    const capToken = await sealCapToken(
      p,
      { signer: m.signer("gatewaySig"), decrypter: m.decrypter("gatewayKex") },
      { authRRPID: m.authResData.authTags.authRRTags.rrpid, authAmt: m.f.order.purchAmt },
      { xid: m.f.order.transIDs.xid, merchantID: "SETLAB-MER-0001", authRecordID: "r1" },
    );
    const authRevReqData: AuthRevReqData = {
      authRevTags: { authRevRRTags: m.authResData.authTags.authRRTags },
      authReqData: m.authReqData,
      authResPayload: m.authResData.authResPayload,
      authNewAmt: { ...m.f.order.purchAmt, amount: 100 },
    };
    const req = await sealAuthRevReq(
      p,
      m.authSigner(),
      pki.gatewayKex.certificate,
      authRevReqData,
      m.piDer,
      capToken,
    );
    expectEnvelopeLayer(req.authRevReqEnvelope, {
      contentType: ContentType.AuthRevReqTBE,
      keyTransport: Std.rsaesOaep,
      recipient: "gatewayKex",
    });
    const reqInner = await openE(p, m.decrypter("gatewayKex"), req.authRevReqEnvelope, {
      contentType: ContentType.AuthRevReqTBE,
    });
    const reqLinked = expectSignedLayer(reqInner, {
      eContentType: ContentType.AuthRevReqTBS,
      certificates: [...merchantSigPath, "merchantKex"],
    });
    expect(req.authRevReqBaggage.pi).toEqual(m.piDer);
    expectDD(
      decodeDer(Linkage, reqLinked).dd,
      encodeDer(AuthRevReqBaggage, req.authRevReqBaggage),
      ContentType.AuthRevReqBaggage,
    );

    const authRevResData: AuthRevResData = {
      authRevCode: "approved",
      authRevTags: authRevReqData.authRevTags,
      authNewAmt: authRevReqData.authNewAmt,
    };
    const res = await sealAuthRevRes(p, m.signer("gatewaySig"), pki.merchantKex.certificate, authRevResData, {
      capTokenNew: capToken,
    });
    expectEnvelopeLayer(res.authRevResEnvelope, {
      contentType: ContentType.AuthRevResTBEB,
      keyTransport: Std.rsaesOaep,
      recipient: "merchantKex",
    });
    const resInner = await openE(p, m.decrypter("merchantKex"), res.authRevResEnvelope, {
      contentType: ContentType.AuthRevResTBEB,
    });
    const resLinked = decodeDer(
      Linkage,
      expectSignedLayer(resInner, {
        eContentType: ContentType.AuthRevResTBS,
        certificates: ["gatewaySig", "gatewayCa", "brandCa"],
      }),
    );
    expect(decodeDer(AuthRevResData, resLinked.t)).toEqual(authRevResData);
    expectDD(
      resLinked.dd,
      encodeDer(AuthRevResBaggage, res.authRevResBaggage),
      ContentType.AuthRevResBaggage,
    );
  });

  it("AuthToken and the subsequent AuthReq: the gateway's token sealed to itself, then the PI [2] of an AuthReq without CheckDigests", async () => {
    const keys = { signer: m.signer("gatewaySig"), decrypter: m.decrypter("gatewayKex") };
    const authToken = await sealAuthToken(
      p,
      keys,
      {
        transIDs: m.f.order.transIDs,
        purchAmt: m.f.order.purchAmt,
        merchantID: "SETLAB-MER-0001",
        installRecurData: encodeDer(InstallRecurData, {
          installRecurInd: { type: "installTotalTrans", value: 3 },
        }),
        recurringCount: 1,
        prevAuthDateTime: new Date(Date.UTC(2026, 10, 25, 12)),
        totalAuthAmount: m.f.order.purchAmt,
      },
      { authRecordID: "r1", firstAuthRecordID: "r1" },
    );
    if (authToken.type !== "enc") throw new Error("not enc");
    const tokenData = decodeDer(
      AuthTokenData,
      await expectGatewayToken(authToken.value, {
        enveloped: ContentType.AuthTokenTBE,
        signed: ContentType.AuthTokenTBS,
      }),
    );
    expect(decodeDer(AuthTokenOpaque, tokenData.authTokenOpaque!)).toEqual({
      authRecordID: "r1",
      firstAuthRecordID: "r1",
    });
    expect(decodeDer(InstallRecurData, tokenData.installRecurData!).installRecurInd).toEqual({
      type: "installTotalTrans",
      value: 3,
    });

    const data = subsequentAuthReqData({
      merchantID: "SETLAB-MER-0001",
      authRRPID: new Uint8Array(20).fill(0x5a),
      date: new Date(Date.UTC(2026, 11, 25, 12)),
      transIDs: m.f.order.transIDs,
      authReqAmt: m.f.order.purchAmt,
      installRecurSeqNum: 2,
    });
    const sealed = await sealSubsequentAuthReq(
      p,
      {
        ...m.signer("merchantSig"),
        chain: [pki.merchantKex.certificate, ...pki.intermediatesOf("merchantSig")],
      },
      pki.gatewayKex.certificate,
      data,
      authToken,
    );
    const piDer = authTokenPIDer(authToken);
    expect(hex(sealed.pi)).toBe(hex(piDer));
    // PI ::= CHOICE {..., authToken [2] EXPLICIT AuthToken}; AuthToken enc [0] EXPLICIT.
    expect(hex(piDer.subarray(0, 1))).toBe("a2");
    const inner = await openE(p, m.decrypter("gatewayKex"), sealed.authReqEnvelope, {
      contentType: ContentType.AuthReqTBE,
    });
    const linkage = decodeDer(
      Linkage,
      expectSignedLayer(inner, {
        eContentType: ContentType.AuthReqTBS,
        certificates: [...merchantSigPath, "merchantKex"],
      }),
    );
    expectDD(linkage.dd, piDer, ContentType.PI);
    const authReqData = decodeDer(AuthReqData, linkage.t);
    expect(authReqData.authReqItem.checkDigests).toBeUndefined();
    expect(authReqData.authReqItem.authReqPayload.installRecurSeqNum).toBe(2);
  });

  it("PRes: S(M, PResData) with the merchant's signature path, no CRLs", async () => {
    expectSignedLayer(await signPRes(p, m.signer("merchantSig"), m.pResData), {
      eContentType: ContentType.PResData,
      certificates: merchantSigPath,
    });
  });

  it("InqReq: S(C, InqReqData) under SET Lab's content type, or InqReqData in the clear with the inquiry proof; InqRes: S(M, PResData)", async () => {
    const ids = {
      transIDs: m.pResData.transIDs,
      rrpid: new Uint8Array(20).fill(1),
      chall_C2: new Uint8Array(20).fill(2),
    };
    const signed = await buildInqReq(p, { ...ids, signer: m.signer("cardholder") });
    if (signed.type !== "inqReqSigned") throw new Error("not signed");
    expectSignedLayer(signed.value, {
      eContentType: SetLab.InqReqData,
      certificates: ["cardholder", "cardholderCa", "brandCa"],
    });
    const unsigned = await buildInqReq(p, { ...ids, chall_C: new Uint8Array(20).fill(3) });
    if (unsigned.type !== "inqReqUnsigned") throw new Error("not unsigned");
    expect(unsigned.value.inqRqExtensions?.map((e) => [e.extnID, e.critical, e.extnValue.length])).toEqual([
      [SetLab.inquiryProof, false, 34],
    ]);
    expectSignedLayer(await signInqRes(p, m.signer("merchantSig"), m.pResData), {
      eContentType: ContentType.PResData,
      certificates: merchantSigPath,
    });
  });

  it("PCertReq: S(M, PCertReqData); PCertRes: S(P, PCertResTBS) carrying the key-exchange certificate it names", async () => {
    const rrTags = {
      rrpid: new Uint8Array(20).fill(4),
      merTermIDs: { merchantID: "SETLAB-MER-0001" },
      currentDate: new Date(Date.UTC(2026, 10, 25)),
    };
    expectSignedLayer(
      await signPCertReq(p, m.signer("merchantSig"), {
        pCertRRTags: rrTags,
        brandAndBINSeq: [{ brandID: "Visa" }],
      }),
      {
        eContentType: ContentType.PCertReqData,
        certificates: merchantSigPath,
      },
    );
    const gateway = m.signer("gatewaySig");
    const res = await signPCertRes(
      p,
      { ...gateway, chain: [...(gateway.chain ?? []), pki.gatewayKex.certificate] },
      {
        pCertRRTags: rrTags,
        pCertResItems: [{ pCertCode: "success", certThumb: m.pInitResData.peThumb }],
      },
    );
    expectSignedLayer(res, {
      eContentType: ContentType.PCertResTBS,
      certificates: ["gatewaySig", "gatewayKex", "gatewayCa", "brandCa"],
    });
  });

  it("Error: ErrorTBS as is, or S(signer, ErrorTBS) with the signer's path", async () => {
    const failure = new SetError("unknownXID", "no such transaction");
    const unsigned = decodeMessage(await errorMessage(p, failure, Uint8Array.of(1, 2, 3)));
    if (unsigned.message.type !== "error") throw new Error("not an Error");
    expect(unsigned.message.value.type).toBe("unsignedError");
    const signed = decodeMessage(
      await errorMessage(p, failure, Uint8Array.of(1, 2, 3), { signer: m.signer("merchantSig") }),
    );
    if (signed.message.type !== "error" || signed.message.value.type !== "signedError")
      throw new Error("not a signed Error");
    expectSignedLayer(signed.message.value.value, {
      eContentType: ContentType.ErrorTBS,
      certificates: merchantSigPath,
    });
  });

  it("thumbprints: SHA-256 over the DER of the TBSCertificate, TBSCertList or UnsignedBrandCRLIdentifier", async () => {
    const tbs = decodeDer(Certificate, pki.gatewayKex.certificate).tbsCertificate.der;
    expect(hex(m.pInitResData.peThumb.thumbprint)).toBe(hex(sha256(tbs)));
    expect(algorithmHex(m.pInitResData.peThumb.digestAlgorithm)).toBe(SHA256);
    const revocation = await revocationFixture(p, pki);
    const bci = decodeDer(
      UnsignedBrandCRLIdentifier,
      decodeDer(BrandCRLIdentifier, revocation.bci).unsignedBrandCRLIdentifier,
    );
    expect(bci.idCRLs.length).toBeGreaterThan(0);
    for (const id of bci.idCRLs)
      expect(
        revocation.crls.some((c) =>
          bytesEqual(sha256(decodeDer(CertificateList, c).tbsCertList.der), id.crlThumb),
        ),
      ).toBe(true);
    // brandCAThumb names the brand CA's certificate the same way.
    const brandCaTbs = decodeDer(Certificate, pki.brandCa.certificate).tbsCertificate.der;
    expect(hex(bci.brandCAThumb)).toBe(hex(sha256(brandCaTbs)));
  });
});
