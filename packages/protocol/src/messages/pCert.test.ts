import { parseSetCertificate } from "../cert/setCertificate";
import { thumbOf } from "../cert/thumb";
import { nodeProvider } from "../crypto/provider";
import type { Signer } from "../crypto/signedMessage";
import { Std } from "../schema/oids";
import type { PCertReqData, PCertResTBS } from "../schema/payment";
import {
  cachedTestKeyPair,
  createTestParty,
  createTestPki,
  defaultMerchantData,
  type TestPki,
} from "../testing/pki";
import { flip, type MessageFixture, messageFixture, rejection } from "./fixture.test-helper";
import { signPCertReq } from "./pCertReq";
import { signPCertRes } from "./pCertRes";
import { receivePCertReq } from "./receivePCertReq";
import { receivePCertRes } from "./receivePCertRes";
import { type WrapperIds, wrapMessage } from "./wrapper";

const p = nodeProvider();
const merID = defaultMerchantData.merID;
const id = (n: number) => new Uint8Array(20).fill(n);
const code = async (promise: Promise<unknown>) => (await rejection(promise)).code;

let pki: TestPki;
let m: MessageFixture;

beforeAll(async () => {
  pki = await createTestPki(p);
  m = await messageFixture(p, pki);
});

const reqData = (over: Partial<PCertReqData> = {}): PCertReqData => ({
  pCertRRTags: {
    rrpid: id(0x21),
    merTermIDs: { merchantID: merID },
    currentDate: new Date(Date.UTC(2026, 10, 25)),
  },
  brandAndBINSeq: [{ brandID: "Visa" }],
  ...over,
});

async function pCertReq(data = reqData(), options: { signer?: Signer; ids?: WrapperIds; date?: Date } = {}) {
  const value = await signPCertReq(p, options.signer ?? m.signer("merchantSig"), data);
  return wrapMessage(
    { type: "pCertificateRequest", value },
    options.ids ?? { rrpid: data.pCertRRTags.rrpid },
    {
      date: options.date ?? new Date(),
    },
  );
}

const gatewayReceiver = (over: Record<string, unknown> = {}) => ({
  trust: { ...m.trust, at: new Date() },
  now: new Date(),
  enrolledMerIDs: [merID],
  ...over,
});

const thumbOfDer = async (der: Uint8Array) => ({
  digestAlgorithm: { algorithm: Std.sha256 },
  thumbprint: await thumbOf(p, parseSetCertificate(der)),
});

/** The gateway's answer naming `kex` (default its key-exchange certificate), carried beside its chain. */
async function pCertRes(
  options: {
    kex?: Uint8Array;
    data?: (d: PCertResTBS) => PCertResTBS;
    signer?: Signer;
    carry?: Uint8Array[];
    ids?: WrapperIds;
  } = {},
) {
  const kex = options.kex ?? pki.gatewayKex.certificate;
  const base: PCertResTBS = {
    pCertRRTags: reqData().pCertRRTags,
    pCertResItems: [{ pCertCode: "success", certThumb: await thumbOfDer(kex) }],
  };
  const data = options.data ? options.data(base) : base;
  const signer = options.signer ?? m.signer("gatewaySig");
  const chain = options.carry ?? [kex, ...pki.intermediatesOf("gatewayKex")];
  const value = await signPCertRes(
    p,
    { ...signer, chain: [...new Set([...(signer.chain ?? []), ...chain])] },
    data,
  );
  return wrapMessage(
    { type: "pCertificateResponse", value },
    options.ids ?? { rrpid: data.pCertRRTags.rrpid },
    {
      date: new Date(),
    },
  );
}

const expected = { rrpid: id(0x21), asked: [{ brandID: "Visa" }] };
const merchant = () => ({ trust: { ...m.trust, at: new Date() } });

describe("PCertReq", () => {
  it("the gateway takes the merchant's signed PCertReq", async () => {
    const got = await receivePCertReq(p, await pCertReq(), gatewayReceiver());
    expect(got.merID).toBe(merID);
    expect(got.data.brandAndBINSeq).toEqual([{ brandID: "Visa" }]);
  });

  it("refuses a broken signature (signatureFailure)", async () => {
    expect(await code(receivePCertReq(p, flip(await pCertReq(), -1), gatewayReceiver()))).toBe(
      "signatureFailure",
    );
  });

  it("refuses a signer that is not a merchant (invalidCertificate)", async () => {
    const bytes = await pCertReq(reqData(), { signer: m.signer("cardholder") });
    expect(await code(receivePCertReq(p, bytes, gatewayReceiver()))).toBe("invalidCertificate");
  });

  it("refuses a merchant the acquirer does not serve, and another MerchantID in PCertRRTags (invalidCertificate)", async () => {
    expect(
      await code(receivePCertReq(p, await pCertReq(), gatewayReceiver({ enrolledMerIDs: ["OTHER"] }))),
    ).toBe("invalidCertificate");
    const other = reqData({
      pCertRRTags: { ...reqData().pCertRRTags, merTermIDs: { merchantID: "SETLAB-MER-9999" } },
    });
    expect(await code(receivePCertReq(p, await pCertReq(other), gatewayReceiver()))).toBe(
      "invalidCertificate",
    );
  });

  it("refuses a header RRPID other than PCertRRTags' (wrapperMsgMismatch)", async () => {
    const bytes = await pCertReq(reqData(), { ids: { rrpid: id(0x22) } });
    expect(await code(receivePCertReq(p, bytes, gatewayReceiver()))).toBe("wrapperMsgMismatch");
  });

  it("refuses an old header date (messageTooOld)", async () => {
    const bytes = await pCertReq(reqData(), { date: new Date(Date.now() - 3600_000) });
    expect(await code(receivePCertReq(p, bytes, gatewayReceiver()))).toBe("messageTooOld");
  });

  it("refuses an unknown critical extension (unrecognizedExtension)", async () => {
    const data = reqData({
      pCRqExtensions: [{ extnID: "1.3.6.1.4.1.32473.99", critical: true, extnValue: Uint8Array.of(5, 0) }],
    });
    expect(await code(receivePCertReq(p, await pCertReq(data), gatewayReceiver()))).toBe(
      "unrecognizedExtension",
    );
  });
});

describe("PCertRes", () => {
  it("the merchant takes the gateway's key-exchange certificate, chained to the root, for the brand", async () => {
    const got = await receivePCertRes(p, await pCertRes(), expected, merchant());
    expect(got.items[0].pCertCode).toBe("success");
    expect(got.items[0].certificate).toEqual(pki.gatewayKex.certificate);
    expect(got.gateway.der).toEqual(pki.gatewaySig.certificate);
  });

  it("a brand the gateway does not serve is its code, with no certificate", async () => {
    const bytes = await pCertRes({
      data: (d) => ({ ...d, pCertResItems: [{ pCertCode: "brandNotSupported" }] }),
      carry: [],
    });
    const got = await receivePCertRes(p, bytes, expected, merchant());
    expect(got.items[0]).toEqual({ asked: { brandID: "Visa" }, pCertCode: "brandNotSupported" });
  });

  it("refuses a non-gateway certificate named as the gateway's (a merchant key-exchange certificate: invalidCertificate)", async () => {
    const bytes = await pCertRes({
      kex: pki.merchantKex.certificate,
      carry: [pki.merchantKex.certificate, ...pki.intermediatesOf("merchantKex")],
    });
    expect(await code(receivePCertRes(p, bytes, expected, merchant()))).toBe("invalidCertificate");
  });

  it("refuses the gateway's signature certificate named as its key-exchange one (invalidCertificate)", async () => {
    const bytes = await pCertRes({ kex: pki.gatewaySig.certificate, carry: [] });
    expect(await code(receivePCertRes(p, bytes, expected, merchant()))).toBe("invalidCertificate");
  });

  it("refuses a PCertRes signed by a merchant (invalidCertificate)", async () => {
    expect(
      await code(
        receivePCertRes(p, await pCertRes({ signer: m.signer("merchantSig") }), expected, merchant()),
      ),
    ).toBe("invalidCertificate");
  });

  it("refuses a certificate of another brand than asked (invalidCertificate)", async () => {
    const mc = { rrpid: id(0x21), asked: [{ brandID: "MasterCard" }] };
    expect(await code(receivePCertRes(p, await pCertRes(), mc, merchant()))).toBe("invalidCertificate");
  });

  it("refuses a success whose certificate is not carried (missingCertificate)", async () => {
    const bytes = await pCertRes({ carry: pki.intermediatesOf("gatewayKex") });
    expect(await code(receivePCertRes(p, bytes, expected, merchant()))).toBe("missingCertificate");
  });

  it("refuses an answer to another PCertReq (unknownRRPID), a header RRPID off the body (wrapperMsgMismatch)", async () => {
    expect(
      await code(receivePCertRes(p, await pCertRes(), { ...expected, rrpid: id(0x23) }, merchant())),
    ).toBe("unknownRRPID");
    expect(
      await code(receivePCertRes(p, await pCertRes({ ids: { rrpid: id(0x24) } }), expected, merchant())),
    ).toBe("wrapperMsgMismatch");
  });

  it("refuses another number of items than asked (wrapperMsgMismatch)", async () => {
    const two = { rrpid: id(0x21), asked: [{ brandID: "Visa" }, { brandID: "Visa", bin: "411111" }] };
    expect(await code(receivePCertRes(p, await pCertRes(), two, merchant()))).toBe("wrapperMsgMismatch");
  });

  it("refuses another gateway's key-exchange certificate, valid for the brand, under this gateway's signature (invalidCertificate)", async () => {
    const other = await createTestParty(
      pki.gatewayCa,
      {
        name: "Another Gateway",
        roles: ["pgwy"],
        use: "keyEncipherment",
        brand: "Visa",
        keys: await cachedTestKeyPair("gatewayKex", "keyEncipherment"),
      },
      p,
    );
    const bytes = await pCertRes({
      kex: other.certificate,
      carry: [other.certificate, ...pki.intermediatesOf("gatewayKex")],
    });
    const e = await rejection(receivePCertRes(p, bytes, expected, merchant()));
    expect(e.code).toBe("invalidCertificate");
    expect(e.message).toMatch(/not the signing gateway's/);
  });

  it("refuses a forged PCertRes: a broken signature (signatureFailure)", async () => {
    expect(await code(receivePCertRes(p, flip(await pCertRes(), -1), expected, merchant()))).toBe(
      "signatureFailure",
    );
  });

  it("refuses a certificate carried off every validated path (invalidCertificate)", async () => {
    const bytes = await pCertRes({
      carry: [pki.gatewayKex.certificate, ...pki.intermediatesOf("gatewayKex"), pki.merchantSig.certificate],
    });
    expect(await code(receivePCertRes(p, bytes, expected, merchant()))).toBe("invalidCertificate");
  });
});
