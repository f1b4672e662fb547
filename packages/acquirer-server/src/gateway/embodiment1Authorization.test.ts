import {
  embodimentRefusal,
  fromHex,
  nodeProvider,
  receiveE1AuthRes,
  SetError,
  type Signer,
  schema,
  sealE1AuthReq,
  signE1InfoRes,
} from "@setlab/protocol";
import type { LabPki } from "@setlab/runtime";
import { intermediatesFrom } from "../gatewayPki";
import { type GatewayTestKit, gatewayTestKit } from "../testing/gatewayTestKit";
import type { EnrolledMerchants } from "./enrolledMerchants";

const p = nodeProvider();
let kit: GatewayTestKit;
let pki: LabPki;
let merchant: Signer;
const purchAmt = { currency: 392, amount: 1200, amtExp10: 0 };

beforeAll(async () => {
  kit = await gatewayTestKit(p);
  pki = kit.pki;
  merchant = await pki.signer("visa/merchant/signature", p);
});
afterAll(() => kit.tmp.cleanup());

const gateway = (enrolled?: EnrolledMerchants) => kit.gateway({ enrolled });

/** The card's signed card information, as the merchant received it. */
async function cardInfo(cardId: string, xid: Uint8Array, change: Partial<schema.E1CardInfo> = {}) {
  const card = pki.cards()[cardId];
  const signer = await pki.signer(`${card.brand.toLowerCase()}/cards/${cardId}`, p);
  const wrapped = await signE1InfoRes(
    p,
    signer,
    {
      lid_M: Uint8Array.of(1),
      xid,
      chall_M: new Uint8Array(20),
      chall_C: new Uint8Array(20),
      purchAmt,
      brandID: card.brand,
      pan: card.pan,
      cardExpiry: card.expiry,
      panSecret: fromHex(card.panSecret),
      ...change,
    },
    new Date(),
  );
  const w = schema.decodeEmbodimentMessage(wrapped);
  return w.message.value as Uint8Array;
}

async function authReq(
  cardId = "visa-approve",
  options: { xid?: Uint8Array; rrpid?: Uint8Array; by?: Signer } = {},
) {
  const xid = options.xid ?? p.random(20);
  const authRRPID = options.rrpid ?? p.random(20);
  const bytes = await sealE1AuthReq(
    p,
    options.by ?? merchant,
    pki.certificate("visa/gateway/key-exchange"),
    { authRRPID, xid, purchAmt, cardInfo: { type: "signed", value: await cardInfo(cardId, xid) } },
    new Date(),
  );
  return { bytes, xid, authRRPID };
}

async function authCodeOf(bytes: Uint8Array, expected: { authRRPID: Uint8Array; xid: Uint8Array }) {
  const data = await receiveE1AuthRes(
    p,
    bytes,
    { ...expected, brand: "Visa" },
    { trust: { pinnedRoot: pki.root(), intermediates: intermediatesFrom(pki), at: new Date() } },
  );
  return data.authCode;
}

const refusalOf = (bytes: Uint8Array) => {
  const w = schema.decodeEmbodimentMessage(bytes);
  return w.message.type === "error" ? w.message.value.errorCode : undefined;
};

describe("gateway: E1AuthReq -> E1AuthRes", () => {
  it("approves, records one authorization, and answers a retry with the stored bytes", async () => {
    const { gw, store } = gateway();
    const req = await authReq();
    const out = await gw.handleE1AuthReq(req.bytes);
    expect(out.kind).toBe("authRes");
    expect(await authCodeOf(out.response, req)).toBe("approved");
    const again = await gw.handleE1AuthReq(req.bytes);
    expect(again.kind).toBe("replay");
    expect(again.response).toEqual(out.response);
    expect(store.authorizationsByXid(out.xid ?? "")).toHaveLength(1);
    // The hold lapses as the third embodiment's holds do (the one row builder, authorizationRecord).
    const [row] = store.authorizationsByXid(out.xid ?? "");
    expect(row.held).toBeGreaterThan(0);
    expect(Date.parse(row.holdUntil ?? "")).toBeGreaterThan(Date.parse(row.created));
  });

  it("the issuer's decline is an E1AuthRes with its AuthCode", async () => {
    const { gw } = gateway();
    const req = await authReq("visa-nsf");
    const out = await gw.handleE1AuthReq(req.bytes);
    expect(await authCodeOf(out.response, req)).not.toBe("approved");
  });

  it("a second approval of one merchant's XID is duplicateAuthorization", async () => {
    const { gw } = gateway();
    const first = await authReq();
    await gw.handleE1AuthReq(first.bytes);
    const second = await authReq("visa-approve", { xid: first.xid });
    const out = await gw.handleE1AuthReq(second.bytes);
    expect(await authCodeOf(out.response, second)).toBe("duplicateAuthorization");
  });

  it("a PAN that is not the signing card's account is piAuthMismatch, and the issuer is not asked", async () => {
    const { gw, store } = gateway();
    const xid = p.random(20);
    const authRRPID = p.random(20);
    const other = pki.cards()["visa-nsf"];
    const bytes = await sealE1AuthReq(
      p,
      merchant,
      pki.certificate("visa/gateway/key-exchange"),
      {
        authRRPID,
        xid,
        purchAmt,
        cardInfo: { type: "signed", value: await cardInfo("visa-approve", xid, { pan: other.pan }) },
      },
      new Date(),
    );
    const out = await gw.handleE1AuthReq(bytes);
    expect(await authCodeOf(out.response, { authRRPID, xid })).toBe("piAuthMismatch");
    expect(store.authorizationsByXid(out.xid ?? "")[0].held).toBe(0);
  });

  it("refuses a merchant the acquirer has not enrolled, and a signer that is no merchant", async () => {
    const { gw } = gateway({ Visa: ["SOMEONE-ELSE"] });
    expect(refusalOf((await gw.handleE1AuthReq((await authReq()).bytes)).response)).toBe(
      "invalidCertificate",
    );
    const { gw: open } = gateway();
    const byCard = await pki.signer("visa/cards/visa-approve", p);
    expect(
      refusalOf((await open.handleE1AuthReq((await authReq("visa-approve", { by: byCard })).bytes)).response),
    ).toBe("invalidCertificate");
  });

  it("refuses another brand's merchant and card sealed to this brand's gateway key", async () => {
    const { gw } = gateway();
    const mc = await pki.signer("mastercard/merchant/signature", p);
    const xid = p.random(20);
    const bytes = await sealE1AuthReq(
      p,
      mc,
      pki.certificate("visa/gateway/key-exchange"),
      {
        authRRPID: p.random(20),
        xid,
        purchAmt,
        cardInfo: { type: "signed", value: await cardInfo("mc-approve", xid) },
      },
      new Date(),
    );
    expect(refusalOf((await gw.handleE1AuthReq(bytes)).response)).toBe("invalidCertificate");
  });

  it("an AuthRRPID reused by another request is unknownRRPID", async () => {
    const { gw } = gateway();
    const first = await authReq();
    await gw.handleE1AuthReq(first.bytes);
    const reuse = await authReq("visa-approve", { rrpid: first.authRRPID });
    expect(refusalOf((await gw.handleE1AuthReq(reuse.bytes)).response)).toBe("unknownRRPID");
  });

  it("a refusal is not answered; another message is messageNotSupported; garbage decodingFailure", async () => {
    const { gw } = gateway();
    const dropped = await gw.handleE1AuthReq(embodimentRefusal(new SetError("unknownXID", "x"), new Date()));
    expect(dropped.kind).toBe("dropped");
    expect(dropped.response).toHaveLength(0);
    const infoRes = await signE1InfoRes(
      p,
      merchant,
      {
        lid_M: Uint8Array.of(1),
        xid: new Uint8Array(20),
        chall_M: new Uint8Array(20),
        chall_C: new Uint8Array(20),
        purchAmt,
        brandID: "Visa",
        pan: "4111111111111111",
        cardExpiry: "203001",
        panSecret: new Uint8Array(20),
      },
      new Date(),
    );
    expect(refusalOf((await gw.handleE1AuthReq(infoRes)).response)).toBe("messageNotSupported");
    expect(refusalOf((await gw.handleE1AuthReq(Uint8Array.of(1, 2, 3))).response)).toBe("decodingFailure");
  });
});
