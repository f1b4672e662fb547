import { decodeDer, encodeDer } from "../asn1/codec";
import { concatBytes, context, tlv, universal } from "../asn1/tlv";
import { fromHex, toHex } from "../bytes";
import { DecodeError, SetError } from "../errors";
import { ContentInfo } from "./common";
import { Std } from "./oids";
import {
  AcctInfo,
  CardCInitReq,
  CertReqData,
  CertRes,
  CertResData,
  CertStatusCode,
  MeAqCInitReq,
  PANData0,
  PublicKeySorE,
  publicKeysFitRequest,
  RegFormResTBS,
  RequestType,
} from "./registration";

const ascii = (s: string) => new TextEncoder().encode(s);
const date = new Date(Date.UTC(2026, 10, 25, 12, 0, 0));
const id = (fill: number) => new Uint8Array(20).fill(fill);
const cms = (contentType: string) =>
  encodeDer(ContentInfo, { contentType, content: Uint8Array.of(0x05, 0x00) });
const thumb = (fill: number) => ({
  digestAlgorithm: { algorithm: Std.sha256 },
  thumbprint: new Uint8Array(32).fill(fill),
});

function expectDecodingFailure(run: () => unknown) {
  expect(run).toThrow(DecodeError);
  try {
    run();
  } catch (e) {
    expect((e as DecodeError).code).toBe("decodingFailure");
  }
}

async function spki(): Promise<Uint8Array> {
  const pair = await globalThis.crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]);
  return new Uint8Array(await globalThis.crypto.subtle.exportKey("spki", pair.publicKey));
}

describe("initialization", () => {
  it("CardCInitReq decodes the fields it was given", () => {
    const value = { rrpid: id(1), lid_EE: ascii("wallet-7"), chall_EE: id(2), brandID: "Visa" };
    const back = decodeDer(CardCInitReq, encodeDer(CardCInitReq, value));
    expect(back).toEqual(value);
    expect(back.thumbs).toBeUndefined();
  });

  it("Me-AqCInitReq names an acquirer through IDData", () => {
    const value = {
      rrpid: id(1),
      lid_EE: ascii("pgwy"),
      chall_EE: id(2),
      requestType: "pgwyInitialBoth" as const,
      idData: { type: "acquirerID" as const, value: { acquirerBIN: "412345", acquirerBusinessID: "ACQ-1" } },
      brandID: "Visa",
      language: "en",
    };
    const back = decodeDer(MeAqCInitReq, encodeDer(MeAqCInitReq, value));
    expect(back.idData).toEqual({
      type: "acquirerID",
      value: { acquirerBIN: "412345", acquirerBusinessID: "ACQ-1" },
    });
    expect(back.requestType).toBe("pgwyInitialBoth");
  });

  it("RequestType refuses the reserved cardholder encryption values", () => {
    expect(decodeDer(RequestType, fromHex("0a0101"))).toBe("cardInitialSig");
    expect(decodeDer(RequestType, fromHex("0a010a"))).toBe("cardRenewalSig");
    expect(decodeDer(RequestType, fromHex("0a0112"))).toBe("pgwyRenewalBoth");
    for (const reserved of ["02", "03", "0b", "0c", "00", "13"])
      expectDecodingFailure(() => decodeDer(RequestType, fromHex(`0a01${reserved}`)));
  });
});

describe("registration form", () => {
  it("RegFormResTBS carries a form template or a referral", () => {
    const value = {
      rrpid: id(1),
      lid_EE: ascii("w"),
      chall_EE2: id(3),
      chall_CA: id(4),
      requestType: "cardInitialSig" as const,
      regFormOrReferral: {
        type: "regFormData" as const,
        value: {
          regTemplate: {
            regFormID: 17,
            regFieldSeq: [
              { fieldName: "Name on card", fieldLen: 26, fieldRequired: true, fieldInvisible: false },
              { fieldName: "Mother's maiden name", fieldLen: 40, fieldRequired: false, fieldInvisible: true },
            ],
          },
          policy: "Certificates are issued under the brand policy.",
        },
      },
    };
    const back = decodeDer(RegFormResTBS, encodeDer(RegFormResTBS, value));
    expect(back.chall_CA).toEqual(id(4));
    expect(back.caeThumb).toBeUndefined();
    if (back.regFormOrReferral.type !== "regFormData") throw new Error("expected a form");
    expect(back.regFormOrReferral.value.regTemplate?.regFormID).toBe(17);
    expect(back.regFormOrReferral.value.regTemplate?.regFieldSeq[1]).toEqual({
      fieldName: "Mother's maiden name",
      fieldLen: 40,
      fieldRequired: false,
      fieldInvisible: true,
    });

    const referral = {
      ...value,
      regFormOrReferral: {
        type: "referralData" as const,
        value: { reason: "Ask your bank", referralURLSeq: ["https://cca.example/visa"] },
      },
    };
    const sent = decodeDer(RegFormResTBS, encodeDer(RegFormResTBS, referral));
    expect(sent.regFormOrReferral).toEqual(referral.regFormOrReferral);
  });
});

describe("certificate request", () => {
  it("CertReqData keeps the public key as the exact SubjectPublicKeyInfo DER", async () => {
    const key = await spki();
    const value = {
      rrpid: id(1),
      lid_EE: ascii("w"),
      chall_EE3: id(5),
      chall_CA: id(4),
      requestType: "cardInitialSig" as const,
      requestDate: date,
      regFormID: 17,
      regForm: [{ fieldName: "Name on card", fieldValue: "A. Cardholder" }],
      caBackKeyData: { backAlgID: { algorithm: Std.aes256cbc }, backKey: new Uint8Array(32).fill(9) },
      publicKeySorE: { publicKeyS: key },
    };
    const back = decodeDer(CertReqData, encodeDer(CertReqData, value));
    expect(back.publicKeySorE.publicKeyS).toEqual(key);
    expect(back.publicKeySorE.publicKeyE).toBeUndefined();
    expect(back.caBackKeyData?.backKey).toEqual(new Uint8Array(32).fill(9));
    expect(back.regForm).toEqual([{ fieldName: "Name on card", fieldValue: "A. Cardholder" }]);
    expect(back.requestDate).toEqual(date);
  });

  it("PublicKeySorE refuses a key slot holding something other than a SubjectPublicKeyInfo", async () => {
    const good = encodeDer(PublicKeySorE, { publicKeyE: await spki() });
    expect(good[2]).toBe(0xa1);
    const notSpki = tlv(context(0), true, fromHex("04020102"));
    expectDecodingFailure(() => decodeDer(PublicKeySorE, tlv(universal(16), true, notSpki)));
    expect(() => encodeDer(PublicKeySorE, { publicKeyS: fromHex("04020102") })).toThrow(DecodeError);
  });

  it("publicKeysFitRequest demands exactly the keys the request type names", async () => {
    const key = await spki();
    expect(publicKeysFitRequest({ publicKeyS: key }, "cardInitialSig")).toBe(true);
    expect(publicKeysFitRequest({ publicKeyS: key, publicKeyE: key }, "cardInitialSig")).toBe(false);
    expect(publicKeysFitRequest({ publicKeyE: key }, "cardRenewalSig")).toBe(false);
    expect(publicKeysFitRequest({ publicKeyE: key }, "merInitialEnc")).toBe(true);
    expect(publicKeysFitRequest({ publicKeyS: key }, "merInitialEnc")).toBe(false);
    expect(publicKeysFitRequest({ publicKeyS: key, publicKeyE: key }, "pgwyRenewalBoth")).toBe(true);
    expect(publicKeysFitRequest({ publicKeyS: key }, "pgwyRenewalBoth")).toBe(false);
    expect(publicKeysFitRequest({}, "merInitialSig")).toBe(false);
  });

  it("AcctInfo carries PANData0 under an explicit tag and bounds the PAN", () => {
    const panData0 = { pan: "4123456789012345", cardExpiry: "202812", cardSecret: id(6), exNonce: id(7) };
    const der = encodeDer(AcctInfo, { type: "panData0", value: panData0 });
    expect(decodeDer(AcctInfo, der)).toEqual({ type: "panData0", value: panData0 });

    // The same fields implicitly tagged are not SET's AcctInfo.
    const implicitForm = new Uint8Array(encodeDer(PANData0, panData0));
    implicitForm[0] = 0xa0;
    expectDecodingFailure(() => decodeDer(AcctInfo, implicitForm));

    const withPan = (digits: string) =>
      tlv(
        universal(16),
        true,
        concatBytes([
          tlv(universal(18), false, ascii(digits)),
          encodeDer(PANData0, panData0).subarray(2 + 2 + panData0.pan.length),
        ]),
      );
    expect(decodeDer(PANData0, withPan("4123456789012345678")).pan).toHaveLength(19);
    expectDecodingFailure(() => decodeDer(PANData0, withPan("41234567890123456789")));
    expectDecodingFailure(() => decodeDer(PANData0, withPan("41234567890")));
    expect(() => encodeDer(PANData0, { ...panData0, pan: "4123-4567-8901" })).toThrow(SetError);
  });
});

describe("certificate response", () => {
  it("CertRes says whether it is signed or EncK-encrypted, and checks the container", () => {
    const signed = cms(Std.signedData);
    const encrypted = cms(Std.encryptedData);
    expect(decodeDer(CertRes, encodeDer(CertRes, { type: "signedCertRes", value: signed })).type).toBe(
      "signedCertRes",
    );
    expect(decodeDer(CertRes, encodeDer(CertRes, { type: "encryptedCertRes", value: encrypted }))).toEqual({
      type: "encryptedCertRes",
      value: encrypted,
    });
    expectDecodingFailure(() => decodeDer(CertRes, tlv(context(1), true, signed)));
  });

  it("CertResData returns NonceCCA in the status and at most two certificate thumbs", () => {
    const value = {
      rrpid: id(1),
      lid_EE: ascii("w"),
      chall_EE3: id(5),
      lid_CA: ascii("cca-req-1"),
      certStatus: { certStatusCode: "requestComplete" as const, nonceCCA: id(8) },
      certThumbs: [thumb(1)],
    };
    const back = decodeDer(CertResData, encodeDer(CertResData, value));
    expect(back.certStatus.nonceCCA).toEqual(id(8));
    expect(back.certStatus.certStatusCode).toBe("requestComplete");
    expect(back.certThumbs).toEqual([thumb(1)]);
    expect(() => encodeDer(CertResData, { ...value, certThumbs: [thumb(1), thumb(2), thumb(3)] })).toThrow(
      SetError,
    );
  });

  it("CertStatusCode is numbered from 1 and refuses values outside the list", () => {
    expect(toHex(encodeDer(CertStatusCode, "requestComplete"))).toBe("0a0101");
    expect(decodeDer(CertStatusCode, fromHex("0a0104"))).toBe("sigValidationFail");
    expect(decodeDer(CertStatusCode, fromHex("0a010d"))).toBe("publicKeyAlreadyCertified");
    expectDecodingFailure(() => decodeDer(CertStatusCode, fromHex("0a0100")));
    expectDecodingFailure(() => decodeDer(CertStatusCode, fromHex("0a010e")));
  });
});
