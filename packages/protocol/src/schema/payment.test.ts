import { decodeDer, encodeDer } from "../asn1/codec";
import { concatBytes, tlv, universal } from "../asn1/tlv";
import { fromHex, toHex } from "../bytes";
import { DecodeError, SetError } from "../errors";
import { ContentInfo, type TransIDs } from "./common";
import { ContentType, Std } from "./oids";
import {
  AuthCode,
  AuthReq,
  AuthReqData,
  AuthRes,
  AuthRevReqBaggage,
  AuthTokenData,
  BatchAdminReqData,
  BatchOperation,
  BrandAndBINSeq,
  CapItem,
  CapItemSeq,
  CapReq,
  CapRevOrCredReqItem,
  CapToken,
  CurrConv,
  PCertReqData,
  RRTags,
  ubPayment,
} from "./payment";

const date = new Date(Date.UTC(2026, 10, 25, 12, 0, 0));
const id = (fill: number) => new Uint8Array(20).fill(fill);
const amount = (n: number) => ({ currency: 978, amount: n, amtExp10: -2 });
const cms = (contentType: string) =>
  encodeDer(ContentInfo, { contentType, content: Uint8Array.of(0x05, 0x00) });
const envelope = cms(Std.envelopedData);
const digest = (contentType: string, fill: number) => ({
  version: 2,
  digestAlgorithm: { algorithm: Std.sha256 },
  encapContentInfo: { eContentType: contentType },
  digest: new Uint8Array(32).fill(fill),
});

const transIDs: TransIDs = { lid_C: Uint8Array.of(7), xid: id(0x11), pReqDate: date, language: "en" };
const rrTags: RRTags = {
  rrpid: id(0x22),
  merTermIDs: { merchantID: "shop-1", terminalID: "T9" },
  currentDate: date,
};

/** Decoding must fail with a DecodeError carrying decodingFailure. */
function expectDecodingFailure(run: () => unknown) {
  expect(run).toThrow(DecodeError);
  try {
    run();
  } catch (e) {
    expect((e as DecodeError).code).toBe("decodingFailure");
  }
}

describe("authorization request", () => {
  const authReqData = {
    authReqItem: {
      authTags: { authRRTags: rrTags, transIDs, authRetNum: 42 },
      checkDigests: { hOIData: digest(ContentType.OIData, 1), hOD2: digest(ContentType.HODInput, 2) },
      authReqPayload: {
        subsequentAuthInd: false,
        authReqAmt: amount(1999),
        requestCardTypeInd: true,
        installRecurSeqNum: 2,
      },
    },
    captureNow: true,
  };

  it("decodes the fields it was given", () => {
    const back = decodeDer(AuthReqData, encodeDer(AuthReqData, authReqData));
    expect(back.captureNow).toBe(true);
    expect(back.authReqItem.authTags.transIDs.xid).toEqual(id(0x11));
    expect(back.authReqItem.authTags.authRRTags.merTermIDs.terminalID).toBe("T9");
    expect(back.authReqItem.authTags.authRetNum).toBe(42);
    expect(back.authReqItem.checkDigests?.hOD2.encapContentInfo.eContentType).toBe(ContentType.HODInput);
    expect(back.authReqItem.authReqPayload.authReqAmt.amount).toBe(1999);
    expect(back.authReqItem.authReqPayload.requestCardTypeInd).toBe(true);
    expect(back.authReqItem.authReqPayload.subsequentAuthInd).toBe(false);
    expect(back.saleDetail).toBeUndefined();
  });

  it("rejects captureNow FALSE written out, since DER omits a DEFAULT value", () => {
    const der = toHex(encodeDer(AuthReqData, authReqData));
    expect(der.endsWith("0101ff")).toBe(true);
    expectDecodingFailure(() => decodeDer(AuthReqData, fromHex(`${der.slice(0, -2)}00`)));
    const omitted = encodeDer(AuthReqData, { ...authReqData, captureNow: false });
    expect(decodeDer(AuthReqData, omitted).captureNow).toBe(false);
    expect(toHex(omitted)).not.toContain("0101ff");
  });

  it("keeps the PI baggage byte for byte", () => {
    const pi = concatBytes([Uint8Array.of(0xa1, 0x03), Uint8Array.of(0x04, 0x01, 0x99)]);
    const back = decodeDer(AuthReq, encodeDer(AuthReq, { authReqEnvelope: envelope, pi }));
    expect(back.pi).toEqual(pi);
    expect(back.authReqEnvelope).toEqual(envelope);
  });

  it("refuses a signed message where the envelope belongs", () => {
    const der = encodeDer(AuthReq, { authReqEnvelope: envelope, pi: Uint8Array.of(5, 0) });
    const signed = cms(Std.signedData);
    const tampered = fromHex(toHex(der).replace(toHex(envelope), toHex(signed)));
    expectDecodingFailure(() => decodeDer(AuthReq, tampered));
  });

  it("reads a reversal's PI first even when it looks like the optional CapToken", () => {
    const pi = encodeDer(CapToken, { type: "none", value: null });
    const back = decodeDer(AuthRevReqBaggage, encodeDer(AuthRevReqBaggage, { pi }));
    expect(back).toEqual({ pi });
  });
});

describe("authorization response", () => {
  it("says which form it is and carries the baggage", () => {
    const value = {
      type: "encBX" as const,
      value: {
        authResEnvelope: envelope,
        authResBaggage: {
          capToken: { type: "none" as const, value: null },
          authToken: { type: "enc" as const, value: envelope },
        },
      },
    };
    const back = decodeDer(AuthRes, encodeDer(AuthRes, value));
    expect(back.type).toBe("encBX");
    expect(back.value.authResBaggage.capToken).toEqual({ type: "none", value: null });
    expect(back.value.authResBaggage.authToken).toEqual({ type: "enc", value: envelope });
    expect(back.value.authResBaggage.acqCardMsg).toBeUndefined();
  });

  it("numbers AuthCode as the module does and refuses a value outside it", () => {
    expect(toHex(encodeDer(AuthCode, "approved"))).toBe("0a0100");
    expect(decodeDer(AuthCode, fromHex("0a010a"))).toBe("piAuthMismatch");
    expect(decodeDer(AuthCode, fromHex("0a010e"))).toBe("authTokenRejected");
    expectDecodingFailure(() => decodeDer(AuthCode, fromHex("0a010f")));
    expectDecodingFailure(() => decodeDer(AuthCode, fromHex("0a01ff")));
  });

  it("refuses a currency conversion rate of zero", () => {
    expect(
      decodeDer(CurrConv, encodeDer(CurrConv, { rateMantissa: 10921, rateExp10: -4, cardCurr: 840 })),
    ).toEqual({
      rateMantissa: 10921,
      rateExp10: -4,
      cardCurr: 840,
    });
    expect(decodeDer(CurrConv, fromHex("300a02010102010002020348")).cardCurr).toBe(840);
    expectDecodingFailure(() => decodeDer(CurrConv, fromHex("300a02010002010002020348")));
  });
});

describe("tokens", () => {
  it("encodes the empty CapToken as [2] NULL and refuses an unknown alternative", () => {
    expect(toHex(encodeDer(CapToken, { type: "none", value: null }))).toBe("8200");
    expectDecodingFailure(() => decodeDer(CapToken, fromHex("8300")));
  });

  it("AuthTokenData carries the recurring state and an opaque InstallRecurData", () => {
    const installRecurData = fromHex("3003020102");
    const value = {
      transIDs,
      purchAmt: amount(5000),
      merchantID: "shop-1",
      installRecurData,
      recurringCount: 3,
      prevAuthDateTime: date,
      totalAuthAmount: amount(3000),
    };
    const back = decodeDer(AuthTokenData, encodeDer(AuthTokenData, value));
    expect(back.installRecurData).toEqual(installRecurData);
    expect(back.recurringCount).toBe(3);
    expect(back.totalAuthAmount.amount).toBe(3000);
    expect(back.prevAuthDateTime).toEqual(date);
  });
});

describe("capture family", () => {
  const item = {
    transIDs,
    authRRPID: id(0x33),
    capPayload: {
      capDate: date,
      capReqAmt: amount(1999),
      saleDetail: { batchID: 7, okToPrintPhoneInd: true },
    },
  };

  it("decodes a capture item", () => {
    const back = decodeDer(CapItem, encodeDer(CapItem, item));
    expect(back.authRRPID).toEqual(id(0x33));
    expect(back.capPayload.capReqAmt.amount).toBe(1999);
    expect(back.capPayload.saleDetail?.batchID).toBe(7);
    expect(back.capPayload.saleDetail?.okToPrintPhoneInd).toBe(true);
  });

  it("bounds the number of items per request", () => {
    const itemDer = encodeDer(CapItem, item);
    const list = (n: number) =>
      tlv(universal(16), true, concatBytes(Array.from({ length: n }, () => itemDer)));
    expect(decodeDer(CapItemSeq, list(ubPayment.items))).toHaveLength(ubPayment.items);
    expectDecodingFailure(() => decodeDer(CapItemSeq, list(ubPayment.items + 1)));
    expectDecodingFailure(() => decodeDer(CapItemSeq, list(0)));
    expect(() =>
      encodeDer(
        CapItemSeq,
        Array.from({ length: ubPayment.items + 1 }, () => item),
      ),
    ).toThrow(SetError);
  });

  it("CapReq's two forms differ only in the alternative tag", () => {
    const pair = { envelope, capTokenSeq: [{ type: "encX" as const, value: envelope }] };
    const encB = encodeDer(CapReq, { type: "encB", value: pair });
    const encBX = encodeDer(CapReq, { type: "encBX", value: pair });
    expect(encB[0]).toBe(0xa0);
    expect(encBX[0]).toBe(0xa1);
    expect(toHex(encB.subarray(1))).toBe(toHex(encBX.subarray(1)));
    expect(decodeDer(CapReq, encBX).type).toBe("encBX");
  });

  it("a reversal or credit item defaults newAccountInd to FALSE", () => {
    const value = {
      ...item,
      capRevOrCredReqDate: date,
      capRevOrCredReqAmt: amount(500),
      newAccountInd: false,
    };
    const back = decodeDer(CapRevOrCredReqItem, encodeDer(CapRevOrCredReqItem, value));
    expect(back.newAccountInd).toBe(false);
    expect(back.capRevOrCredReqAmt?.amount).toBe(500);
    expect(back.newBatchID).toBeUndefined();
  });
});

describe("gateway certificates and batches", () => {
  it("PCertReqData lists brand and BIN and refuses an empty list", () => {
    const value = {
      pCertRRTags: rrTags,
      brandAndBINSeq: [{ brandID: "Visa", bin: "412345" }, { brandID: "JCB" }],
    };
    const der = encodeDer(PCertReqData, value);
    const back = decodeDer(PCertReqData, der);
    expect(back.brandAndBINSeq).toEqual([{ brandID: "Visa", bin: "412345" }, { brandID: "JCB" }]);
    const withList = (list: Uint8Array) =>
      tlv(universal(16), true, concatBytes([encodeDer(RRTags, rrTags), list]));
    expect(toHex(withList(encodeDer(BrandAndBINSeq, value.brandAndBINSeq)))).toBe(toHex(der));
    expectDecodingFailure(() => decodeDer(PCertReqData, withList(Uint8Array.of(0x30, 0x00))));
    expect(() => encodeDer(PCertReqData, { ...value, brandAndBINSeq: [] })).toThrow(SetError);
  });

  it("BatchAdminReqData knows open, close and query only", () => {
    const value = { batchAdminRRTags: rrTags, batchID: 12, batchOperation: "close" as const };
    expect(decodeDer(BatchAdminReqData, encodeDer(BatchAdminReqData, value)).batchOperation).toBe("close");
    expect(decodeDer(BatchOperation, fromHex("0a0102"))).toBe("query");
    expectDecodingFailure(() => decodeDer(BatchOperation, fromHex("0a0103")));
  });
});
