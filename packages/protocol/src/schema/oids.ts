/**
 * Every object identifier the project uses, in one place.
 * SET's own arc is 2.23.42 (content types .0, message extensions .1, attributes .3, policies .5,
 * modules .6, certificate extensions .7, brands .8). Project-specific identifiers live under the
 * documentation arc 1.3.6.1.4.1.32473 (RFC 5612), sub-arc .1 for SET Lab.
 */

const setct = (n: number) => `2.23.42.0.${n}`;

/** SET content types (setct-*): every DD, S, SO and envelope is typed with one of these. */
export const ContentType = {
  PANData: setct(0),
  PANToken: setct(1),
  PANOnly: setct(2),
  OIData: setct(3),
  PI: setct(4),
  PIData: setct(5),
  PIDataUnsigned: setct(6),
  HODInput: setct(7),
  AuthResBaggage: setct(8),
  AuthRevReqBaggage: setct(9),
  AuthRevResBaggage: setct(10),
  CapTokenSeq: setct(11),
  PInitResData: setct(12),
  PI_TBS: setct(13),
  PResData: setct(14),
  AuthReqTBS: setct(16),
  AuthResTBS: setct(17),
  AuthResTBSX: setct(18),
  AuthTokenTBS: setct(19),
  CapTokenData: setct(20),
  CapTokenTBS: setct(21),
  AcqCardCodeMsg: setct(22),
  AuthRevReqTBS: setct(23),
  AuthRevResData: setct(24),
  AuthRevResTBS: setct(25),
  CapReqTBS: setct(26),
  CapReqTBSX: setct(27),
  CapResData: setct(28),
  CapRevReqTBS: setct(29),
  CapRevReqTBSX: setct(30),
  CapRevResData: setct(31),
  CredReqTBS: setct(32),
  CredReqTBSX: setct(33),
  CredResData: setct(34),
  CredRevReqTBS: setct(35),
  CredRevReqTBSX: setct(36),
  CredRevResData: setct(37),
  PCertReqData: setct(38),
  PCertResTBS: setct(39),
  BatchAdminReqData: setct(40),
  BatchAdminResData: setct(41),
  CardCInitResTBS: setct(42),
  MeAqCInitResTBS: setct(43),
  RegFormResTBS: setct(44),
  CertReqData: setct(45),
  CertReqTBS: setct(46),
  CertResData: setct(47),
  CertInqReqTBS: setct(48),
  ErrorTBS: setct(49),
  PIDualSignedTBE: setct(50),
  PIUnsignedTBE: setct(51),
  AuthReqTBE: setct(52),
  AuthResTBE: setct(53),
  AuthResTBEX: setct(54),
  AuthTokenTBE: setct(55),
  CapTokenTBE: setct(56),
  CapTokenTBEX: setct(57),
  AcqCardCodeMsgTBE: setct(58),
  AuthRevReqTBE: setct(59),
  AuthRevResTBE: setct(60),
  AuthRevResTBEB: setct(61),
  CapReqTBE: setct(62),
  CapReqTBEX: setct(63),
  CapResTBE: setct(64),
  CapRevReqTBE: setct(65),
  CapRevReqTBEX: setct(66),
  CapRevResTBE: setct(67),
  CredReqTBE: setct(68),
  CredReqTBEX: setct(69),
  CredResTBE: setct(70),
  CredRevReqTBE: setct(71),
  CredRevReqTBEX: setct(72),
  CredRevResTBE: setct(73),
  BatchAdminReqTBE: setct(74),
  BatchAdminResTBE: setct(75),
  RegFormReqTBE: setct(76),
  CertReqTBE: setct(77),
  CertReqTBEX: setct(78),
  CertResTBE: setct(79),
  CRLNotificationTBS: setct(80),
  CRLNotificationResTBS: setct(81),
  BCIDistributionTBS: setct(82),
} as const;
export type ContentTypeName = keyof typeof ContentType;

/** SET private certificate extensions (id-set-certExt). */
export const CertExtension = {
  hashedRootKey: "2.23.42.7.0",
  certificateType: "2.23.42.7.1",
  merchantData: "2.23.42.7.2",
  cardCertRequired: "2.23.42.7.3",
  tunneling: "2.23.42.7.4",
  setExtensions: "2.23.42.7.5",
  setQualifier: "2.23.42.7.6",
} as const;

/** Payment-card brands (id-set-brand). */
export const Brand = {
  IATA_ATA: "2.23.42.8.1",
  Visa: "2.23.42.8.4",
  MasterCard: "2.23.42.8.5",
  Diners: "2.23.42.8.30",
  AmericanExpress: "2.23.42.8.34",
  JCB: "2.23.42.8.35",
  Novus: "2.23.42.8.6011",
} as const;

/** SET certificate policy for the Root (set-policy-root). */
export const SetPolicyRoot = "2.23.42.5.0";

/** SET Lab's own identifiers, under the RFC 5612 documentation arc. */
const setlab = (n: string) => `1.3.6.1.4.1.32473.1.${n}`;
export const SetLab = {
  /** Key transport whose RSA-OAEP(SHA-256) block carries DER ExtraBlock instead of a bare key (EH, EX, EXH, EncX, EncBX). */
  rsaOaepExtraBlock: setlab("1"),
  /** The ASN.1 module SetLab.asn. */
  module: setlab("2"),
  /**
   * Content type of a signed InqReq, S{C, InqReqData}: SET's published OID table has no
   * setct entry for InqReqData (2.23.42.0.15 is unassigned there), so the project names one.
   */
  InqReqData: setlab("3"),
  /** The ASN.1 module SetLabEmbodiments.asn (the patent's first embodiment, not SET). */
  embodimentsModule: setlab("4"),
  /** Content types of the first embodiment's CMS parts: each signature and envelope is typed. */
  e1CardInfo: setlab("5.1"),
  e1AuthReqTBS: setlab("5.2"),
  e1AuthReqTBE: setlab("5.3"),
  e1AuthRes: setlab("5.4"),
  e1Result: setlab("5.5"),
  e2MerchantHello: setlab("5.6"),
  e2CardHello: setlab("5.7"),
  e2SessionKey: setlab("5.8"),
  e2OrderInfo: setlab("5.9"),
  e2CardInfo: setlab("5.10"),
  /** The card information sealed to the gateway, Enc(C, P, E1CardInfo) (claims 7-8, card-company key). */
  e2CardInfoTBE: setlab("5.11"),
  /**
   * InqReqData extension (non-critical): the inquiry proof of a purchase paid with an unsigned
   * PReq, HMAC-SHA-256 keyed with the purchase's Chall-C (messages/inquiryProof.ts).
   */
  inquiryProof: setlab("7.1"),
} as const;

/** Standard identifiers the operators use. */
export const Std = {
  data: "1.2.840.113549.1.7.1",
  signedData: "1.2.840.113549.1.7.2",
  envelopedData: "1.2.840.113549.1.7.3",
  digestedData: "1.2.840.113549.1.7.5",
  encryptedData: "1.2.840.113549.1.7.6",
  sha256: "2.16.840.1.101.3.4.2.1",
  rsaEncryption: "1.2.840.113549.1.1.1",
  sha256WithRSAEncryption: "1.2.840.113549.1.1.11",
  rsaesOaep: "1.2.840.113549.1.1.7",
  mgf1: "1.2.840.113549.1.1.8",
  aes256cbc: "2.16.840.1.101.3.4.1.42",
  contentTypeAttr: "1.2.840.113549.1.9.3",
  messageDigestAttr: "1.2.840.113549.1.9.4",
  signingTimeAttr: "1.2.840.113549.1.9.5",
} as const;
