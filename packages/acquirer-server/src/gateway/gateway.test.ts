import {
  decodeDer,
  encodeDer,
  errorMessage,
  fromHex,
  nodeProvider,
  openCapToken,
  parseSetCertificate,
  receiveError,
  SetError,
  schema,
  thumbOf,
  toHex,
  wrapMessage,
} from "@setlab/protocol";
import type { LabPki } from "@setlab/runtime";
import { enrolledMerchantsFrom, intermediatesFrom } from "../gatewayPki";
import type { AuthReqBuilder } from "../testing/authReqBuilder";
import { type GatewayTestKit, gatewayTestKit, type TestGatewayOptions } from "../testing/gatewayTestKit";
import { Gateway } from "./gateway";
import type { GatewayBrandKeys } from "./gatewayKeys";

const p = nodeProvider();
let kit: GatewayTestKit;
let pki: LabPki;
let keys: GatewayBrandKeys[];
let b: AuthReqBuilder;

beforeAll(async () => {
  kit = await gatewayTestKit(p);
  ({ pki, keys, b } = kit);
});
afterAll(() => kit.tmp.cleanup());

const gateway = (options?: TestGatewayOptions) => kit.gateway(options);

/** The Visa gateway's keys, as it seals its CapTokens to itself. */
const gatewayCapTokenKeys = () => {
  const visa = keys.find((k) => k.brand === "Visa")!;
  return { signer: visa.signer, decrypter: visa.decrypter };
};

/** The merchant's side reading the gateway's Errors: the lab's root, signed by a gateway. */
const gatewaySigners = () => ({
  trust: { pinnedRoot: pki.root(), intermediates: intermediatesFrom(pki), at: new Date() },
  roles: ["pgwy"] as ["pgwy"],
});

async function authCodeOf(bytes: Uint8Array, brand = "Visa") {
  const r = await b.read(bytes, brand);
  if (r.type !== "authRes") throw new Error(`expected an AuthRes, got Error ${r.code}`);
  return r.data.authResPayload.authHeader;
}

async function errorCodeOf(bytes: Uint8Array) {
  const r = await b.read(bytes);
  if (r.type !== "error")
    throw new Error(`expected an Error, got AuthRes ${r.data.authResPayload.authHeader.authCode}`);
  return r.code;
}

describe("gateway: AuthReq -> AuthRes", () => {
  it("approves a good purchase, holds the amount, and records one authorization", async () => {
    const { gw, store } = gateway();
    const req = await b.build({ amount: 12800 });
    const out = await gw.handleAuthReq(req.bytes);
    expect(out.kind).toBe("authRes");
    const r = await b.read(out.response);
    if (r.type !== "authRes") throw new Error("no AuthRes");
    const header = r.data.authResPayload.authHeader;
    expect(header.authCode).toBe("approved");
    expect(header.authAmt).toEqual({ currency: 392, amount: 12800, amtExp10: 0 });
    expect(header.responseData.authValCodes?.approvalCode).toMatch(/^[0-9A-F]{6}$/);
    expect(header.responseData.respReason).toBe("issuer");
    // The CapToken is the gateway's, sealed to itself: it opens with the gateway's keys only.
    const token = await openCapToken(p, gatewayCapTokenKeys(), r.baggage.capToken!);
    if (!token.ok) throw new Error(token.reason);
    expect(token.data.authAmt).toEqual({ currency: 392, amount: 12800, amtExp10: 0 });
    expect(token.data.authRRPID).toEqual(req.parts.authRRPID);
    expect(token.opaque).toEqual({
      xid: req.parts.transIDs.xid,
      merchantID: "SETLAB-MER-0001",
      authRecordID: toHex(req.parts.authRRPID),
    });
    // AuthTags echo the request's; the header carries the protected ids.
    expect(r.data.authTags.authRRTags.rrpid).toEqual(req.parts.authRRPID);
    expect(r.header.rrpid).toEqual(req.parts.authRRPID);
    expect(r.header.messageIDs?.xid).toEqual(req.parts.transIDs.xid);
    const rows = store.authorizationsByXid(toHex(req.parts.transIDs.xid));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      authCode: "approved",
      held: 12800,
      cardId: "visa-approve",
      merchantID: "SETLAB-MER-0001",
    });
    expect(rows[0].response).toEqual(out.response);
    expect(store.account("visa-approve")?.held).toBe(12800);
  });

  it("approves a MasterCard purchase with the MasterCard keys", async () => {
    const { gw, store } = gateway();
    const out = await gw.handleAuthReq((await b.build({ card: "mc-approve" })).bytes);
    expect((await authCodeOf(out.response, "MasterCard")).authCode).toBe("approved");
    expect(out.brand).toBe("MasterCard");
    expect(store.account("mc-approve")?.held).toBe(12800);
  });

  it.each([
    ["visa-nsf", "declined", "issuer"],
    ["visa-expired", "expiredCard", "issuer"],
    ["visa-stolen", "declined", "issuer"],
    ["visa-call", "callIssuer", "issuer"],
    ["visa-unavailable", "noReply", "standInIssuerUnavailable"],
  ])("%s: the issuer answers %s (%s), nothing is held", async (card, authCode, respReason) => {
    const { gw, store } = gateway();
    const out = await gw.handleAuthReq((await b.build({ card })).bytes);
    const header = await authCodeOf(out.response);
    expect(header.authCode).toBe(authCode);
    expect(header.responseData.respReason).toBe(respReason);
    expect(header.authAmt.amount).toBe(0);
    expect(header.responseData.authValCodes).toBeUndefined();
    expect(store.account(card)?.held).toBe(0);
    expect(store.authorizationsByXid(out.xid!)).toHaveLength(1);
  });

  it("answers amountError over the credit limit, and holds nothing", async () => {
    const { gw, store } = gateway();
    const out = await gw.handleAuthReq((await b.build({ amount: 1_000_001 })).bytes);
    expect((await authCodeOf(out.response)).authCode).toBe("amountError");
    expect(out.reason).toBe("amount over limit");
    expect(store.account("visa-approve")?.held).toBe(0);
  });

  it("a debit-style account approves what it has: AuthAmt and the hold are the amount left, which lapses sooner", async () => {
    const { gw, store } = gateway();
    const before = Date.now();
    const out = await gw.handleAuthReq((await b.build({ card: "visa-debit", amount: 1_200_000 })).bytes);
    const header = await authCodeOf(out.response);
    expect(header.authCode).toBe("approved");
    expect(header.authAmt).toEqual({ currency: 392, amount: 1_000_000, amtExp10: 0 });
    const [row] = store.authorizationsByXid(out.xid!);
    expect(row).toMatchObject({ amount: 1_200_000, held: 1_000_000, cardId: "visa-debit" });
    // A partial hold lapses after a day (the policy's default), a full one after seven.
    const lapse = Date.parse(row.holdUntil!) - before;
    expect(lapse).toBeGreaterThanOrEqual(24 * 3600_000);
    expect(lapse).toBeLessThan(2 * 24 * 3600_000);
    const next = await gw.handleAuthReq((await b.build({ card: "visa-debit", amount: 1 })).bytes);
    expect((await authCodeOf(next.response)).authCode).toBe("declined");
  });

  it("a hold lapses after the policy's lifetime: it no longer counts against the credit limit", async () => {
    const { gw, store } = gateway({ policy: { holdLifetimeMs: 5 * 60_000 } });
    const first = await gw.handleAuthReq((await b.build({ amount: 600_000 })).bytes);
    expect((await authCodeOf(first.response)).authCode).toBe("approved");
    const later = (minutes: number) =>
      new Gateway({
        provider: Object.create(p, { now: { value: () => new Date(Date.now() + minutes * 60_000) } }),
        keys,
        trust: { pinnedRoot: pki.root(), intermediates: intermediatesFrom(pki) },
        store,
        enrolled: enrolledMerchantsFrom(pki),
        policy: { holdLifetimeMs: 5 * 60_000 },
      });
    // Within the lifetime the hold still counts; ten minutes on (within the header date's skew) it does not.
    const soon = await later(1).handleAuthReq((await b.build({ amount: 600_000 })).bytes);
    expect((await authCodeOf(soon.response)).authCode).toBe("amountError");
    const lapsed = await later(10).handleAuthReq((await b.build({ amount: 600_000 })).bytes);
    expect((await authCodeOf(lapsed.response)).authCode).toBe("approved");
    expect(store.account("visa-approve", new Date(Date.now() + 10 * 60_000))?.held).toBe(600_000);
    expect(store.account("visa-approve")?.held).toBe(1_200_000);
  });

  it("holds add up: a second purchase beyond the remaining limit is refused", async () => {
    const { gw, store } = gateway();
    expect(
      (await authCodeOf((await gw.handleAuthReq((await b.build({ amount: 600_000 })).bytes)).response))
        .authCode,
    ).toBe("approved");
    const second = await gw.handleAuthReq((await b.build({ amount: 400_001 })).bytes);
    expect((await authCodeOf(second.response)).authCode).toBe("amountError");
    expect(store.account("visa-approve")?.held).toBe(600_000);
  });
});

describe("gateway: idempotency", () => {
  it("the same AuthReq twice gets the same bytes, one authorization and one hold", async () => {
    const { gw, store } = gateway();
    const req = await b.build();
    const first = await gw.handleAuthReq(req.bytes);
    const second = await gw.handleAuthReq(req.bytes);
    expect(second.kind).toBe("replay");
    expect(second.response).toEqual(first.response);
    expect(store.authorizationsByXid(first.xid!)).toHaveLength(1);
    expect(store.account("visa-approve")?.held).toBe(12800);
  });

  it("concurrent copies of one AuthReq still make one authorization", async () => {
    const { gw, store } = gateway();
    const req = await b.build();
    const outs = await Promise.all([
      gw.handleAuthReq(req.bytes),
      gw.handleAuthReq(req.bytes),
      gw.handleAuthReq(req.bytes),
    ]);
    expect(outs.map((o) => o.kind).sort()).toEqual(["authRes", "replay", "replay"]);
    for (const o of outs) expect(o.response).toEqual(outs[0].response);
    expect(store.authorizationsByXid(outs[0].xid!)).toHaveLength(1);
    expect(store.account("visa-approve")?.held).toBe(12800);
  });

  it("the same content in a fresh envelope is the same request", async () => {
    const { gw } = gateway();
    const req = await b.build();
    const first = await gw.handleAuthReq(req.bytes);
    const again = await gw.handleAuthReq(await b.reseal(req));
    expect(again.kind).toBe("replay");
    expect(again.response).toEqual(first.response);
  });

  it("the same AuthRRPID with other content is refused with unknownRRPID, and changes nothing", async () => {
    const { gw, store } = gateway();
    const first = await b.build();
    await gw.handleAuthReq(first.bytes);
    const other = await b.build({ authRRPID: first.parts.authRRPID, amount: 500 });
    const out = await gw.handleAuthReq(other.bytes);
    expect(await errorCodeOf(out.response)).toBe("unknownRRPID");
    expect(store.authorizationsByXid(toHex(other.parts.transIDs.xid))).toHaveLength(0);
    expect(store.account("visa-approve")?.held).toBe(12800);
  });

  it("an XID already authorized, asked again with a new RRPID, gets duplicateAuthorization and no second hold", async () => {
    const { gw, store } = gateway();
    const first = await b.build();
    await gw.handleAuthReq(first.bytes);
    const again = await b.build({ xid: first.parts.transIDs.xid });
    const out = await gw.handleAuthReq(again.bytes);
    expect((await authCodeOf(out.response)).authCode).toBe("duplicateAuthorization");
    expect(store.authorizationsByXid(out.xid!).map((a) => a.authCode)).toEqual([
      "approved",
      "duplicateAuthorization",
    ]);
    expect(store.account("visa-approve")?.held).toBe(12800);
  });

  it("an XID that was declined may be tried again", async () => {
    const { gw } = gateway();
    const first = await b.build({ amount: 2_000_000 });
    expect((await authCodeOf((await gw.handleAuthReq(first.bytes)).response)).authCode).toBe("amountError");
    const again = await b.build({ xid: first.parts.transIDs.xid });
    expect((await authCodeOf((await gw.handleAuthReq(again.bytes)).response)).authCode).toBe("approved");
  });
});

describe("gateway: merchants", () => {
  it("a merchant the gateway never saw, with a valid certificate, is served: AuthRes sealed to the key-exchange certificate it carried", async () => {
    const { gw, store } = gateway();
    const req = await b.build({ merchantId: "attack/visa/merchant-b" });
    const out = await gw.handleAuthReq(req.bytes);
    expect(out.merchantID).toBe("SETLAB-MER-0002");
    const r = await b.read(out.response, "Visa", "attack/visa/merchant-b");
    if (r.type !== "authRes") throw new Error(`expected an AuthRes, got ${r.code}`);
    expect(r.data.authResPayload.authHeader.authCode).toBe("approved");
    expect(store.authorizationsByXid(out.xid!)[0]).toMatchObject({ merchantID: "SETLAB-MER-0002" });
    // Only that merchant's key opens it: not the lab merchant's.
    await expect(b.read(out.response, "Visa")).rejects.toMatchObject({ code: "decodingFailure" });
  });

  it("a merchant with a valid certificate that the acquirer has not enrolled for the brand gets a signed invalidCertificate Error naming its certificate, and nothing is recorded", async () => {
    const { gw, store } = gateway({
      enrolled: { Visa: ["SETLAB-MER-0001"], MasterCard: ["SETLAB-MER-0002"] },
    });
    const req = await b.build({ merchantId: "attack/visa/merchant-b" });
    const out = await gw.handleAuthReq(req.bytes);
    expect(out.errorCode).toBe("invalidCertificate");
    const error = await receiveError(p, out.response, gatewaySigners());
    expect(error.signed).toBe(true);
    const merchant = parseSetCertificate(pki.certificate("attack/visa/merchant-b/signature"));
    expect(error.thumb).toEqual(await thumbOf(p, merchant));
    expect(store.authorizationsByXid(out.xid!)).toHaveLength(0);
    expect(store.account("visa-approve")?.held).toBe(0);
    // The lab merchant, enrolled, is served by the same gateway.
    expect((await authCodeOf((await gw.handleAuthReq((await b.build()).bytes)).response)).authCode).toBe(
      "approved",
    );
  });

  it("XID squatting: another merchant's authorization under a victim's XID does not make the victim's a duplicate; each merchant's own second one is", async () => {
    const { gw, store } = gateway();
    const victim = await b.build();
    const xid = victim.parts.transIDs.xid;
    const squat = await b.build({ merchantId: "attack/visa/merchant-b", xid, amount: 1 });
    expect(
      (await b.read((await gw.handleAuthReq(squat.bytes)).response, "Visa", "attack/visa/merchant-b")).type,
    ).toBe("authRes");
    expect((await authCodeOf((await gw.handleAuthReq(victim.bytes)).response)).authCode).toBe("approved");
    const squatAgain = await b.build({ merchantId: "attack/visa/merchant-b", xid, amount: 1 });
    const r = await b.read(
      (await gw.handleAuthReq(squatAgain.bytes)).response,
      "Visa",
      "attack/visa/merchant-b",
    );
    if (r.type !== "authRes") throw new Error(`expected an AuthRes, got ${r.code}`);
    expect(r.data.authResPayload.authHeader.authCode).toBe("duplicateAuthorization");
    expect(store.authorizationsByXid(toHex(xid)).map((a) => [a.merchantID, a.authCode])).toEqual([
      ["SETLAB-MER-0002", "approved"],
      ["SETLAB-MER-0001", "approved"],
      ["SETLAB-MER-0002", "duplicateAuthorization"],
    ]);
  });

  it("PIHead.merchantID other than the signing merchant's merID: AuthCode merchantMismatch, nothing held", async () => {
    const { gw, store } = gateway();
    const req = await b.build({
      cardholder: (x) => {
        x.piHead = { ...x.piHead, merchantID: "SETLAB-MER-0002" };
      },
    });
    const out = await gw.handleAuthReq(req.bytes);
    expect((await authCodeOf(out.response)).authCode).toBe("merchantMismatch");
    expect(store.account("visa-approve")?.held).toBe(0);
  });

  it("AuthRRTags.merchantID other than the certificate's merID: AuthCode merchantMismatch too", async () => {
    const { gw, store } = gateway();
    const req = await b.build({
      merchant: (x) => {
        x.authReqData.authReqItem.authTags.authRRTags.merTermIDs = { merchantID: "SETLAB-MER-9999" };
      },
    });
    const out = await gw.handleAuthReq(req.bytes);
    expect((await authCodeOf(out.response)).authCode).toBe("merchantMismatch");
    expect(store.account("visa-approve")?.held).toBe(0);
  });
});

describe("gateway: a PI authorizes its XID once, InstallRecurData or not", () => {
  it("three installments: a second AuthReq with the same PI is duplicateAuthorization (later payments come with the AuthToken)", async () => {
    const { gw, store } = gateway();
    const installments: Parameters<AuthReqBuilder["build"]>[0] = {
      cardholder: (x) => {
        x.piHead = {
          ...x.piHead,
          installRecurData: { installRecurInd: { type: "installTotalTrans", value: 3 } },
        };
      },
    };
    const first = await b.build(installments);
    expect((await authCodeOf((await gw.handleAuthReq(first.bytes)).response)).authCode).toBe("approved");
    const next = await b.build({ ...installments, xid: first.parts.transIDs.xid });
    expect((await authCodeOf((await gw.handleAuthReq(next.bytes)).response)).authCode).toBe(
      "duplicateAuthorization",
    );
    expect(store.account("visa-approve")?.held).toBe(12800);
  });
});

describe("gateway: PI forms and policy", () => {
  it("Visa requires a cardholder certificate: the unsigned PI gets cardCertRequired", async () => {
    const { gw, store } = gateway();
    const out = await gw.handleAuthReq((await b.build({ form: "unsigned" })).bytes);
    expect((await authCodeOf(out.response)).authCode).toBe("cardCertRequired");
    expect(store.account("visa-approve")?.held).toBe(0);
  });

  it("MasterCard allows the unsigned PI", async () => {
    const { gw } = gateway();
    const out = await gw.handleAuthReq((await b.build({ card: "mc-approve", form: "unsigned" })).bytes);
    expect((await authCodeOf(out.response, "MasterCard")).authCode).toBe("approved");
  });

  it("policy can forbid the unsigned PI for MasterCard too", async () => {
    const { gw } = gateway({ policy: { unsignedAllowed: [] } });
    const out = await gw.handleAuthReq((await b.build({ card: "mc-approve", form: "unsigned" })).bytes);
    expect((await authCodeOf(out.response, "MasterCard")).authCode).toBe("cardCertRequired");
  });

  it("an unsigned PI whose card expiry has passed gets expiredCard", async () => {
    const { gw } = gateway();
    const req = await b.build({
      card: "mc-approve",
      form: "unsigned",
      cardholder: (x) => {
        x.panToken = { ...x.panToken, cardExpiry: "202001" };
      },
    });
    expect((await authCodeOf((await gw.handleAuthReq(req.bytes)).response, "MasterCard")).authCode).toBe(
      "expiredCard",
    );
  });

  it("an AuthToken PI that is no token of this gateway gets authTokenRejected", async () => {
    const { gw } = gateway();
    const out = await gw.handleAuthReq((await b.build({ form: "authToken" })).bytes);
    expect((await authCodeOf(out.response)).authCode).toBe("authTokenRejected");
  });

  it("a PAN that is not the signing certificate's account gets piAuthMismatch", async () => {
    const { gw, store } = gateway();
    // The visa-nsf card's account data, signed with the visa-approve card's certificate.
    const nsf = b.card("visa-nsf");
    const req = await b.build({
      card: "visa-approve",
      cardholder: (x) => {
        x.panData = {
          ...x.panData,
          pan: nsf.pan,
          panSecret: fromHex(nsf.panSecret),
        };
      },
    });
    const out = await gw.handleAuthReq(req.bytes);
    expect((await authCodeOf(out.response)).authCode).toBe("piAuthMismatch");
    expect(store.account("visa-nsf")?.held).toBe(0);
  });

  it("a wrong PANSecret is a piAuthMismatch too", async () => {
    const { gw } = gateway();
    const req = await b.build({
      cardholder: (x) => {
        x.panData = { ...x.panData, panSecret: new Uint8Array(20).fill(7) };
      },
    });
    expect((await authCodeOf((await gw.handleAuthReq(req.bytes)).response)).authCode).toBe("piAuthMismatch");
  });

  it("hardened profile: a PI naming this gateway and merchant is approved", async () => {
    const { gw } = gateway({ policy: { hardenedRequired: ["Visa"] } });
    const binding = await bindingFor("Visa", "Visa");
    const req = await b.build({
      cardholder: (x) => {
        x.piHead = { ...x.piHead, profileBinding: binding };
      },
    });
    expect((await authCodeOf((await gw.handleAuthReq(req.bytes)).response)).authCode).toBe("approved");
  });

  it("hardened profile: a PI naming another merchant is refused (thumbsMismatch)", async () => {
    const { gw } = gateway();
    const binding = await bindingFor("Visa", "MasterCard");
    const req = await b.build({
      cardholder: (x) => {
        x.piHead = { ...x.piHead, profileBinding: binding };
      },
    });
    expect(await errorCodeOf((await gw.handleAuthReq(req.bytes)).response)).toBe("thumbsMismatch");
  });

  it("hardened profile required: a PI without ProfileBinding is refused", async () => {
    const { gw } = gateway({ policy: { hardenedRequired: ["Visa"] } });
    expect(await errorCodeOf((await gw.handleAuthReq((await b.build()).bytes)).response)).toBe(
      "thumbsMismatch",
    );
  });
});

async function bindingFor(gatewayBrand: string, merchantBrand: string): Promise<schema.ProfileBinding> {
  const { parseSetCertificate, thumbOf } = await import("@setlab/protocol");
  const thumb = async (id: string) => ({
    digestAlgorithm: { algorithm: schema.Std.sha256 },
    thumbprint: await thumbOf(p, parseSetCertificate(pki.certificate(id))),
  });
  return {
    gatewayThumb: await thumb(`${gatewayBrand.toLowerCase()}/gateway/key-exchange`),
    merchantThumb: await thumb(`${merchantBrand.toLowerCase()}/merchant/signature`),
  };
}

describe("gateway: protocol failures are SET Errors and change nothing", () => {
  const refused = async (
    build: Parameters<AuthReqBuilder["build"]>[0],
    code: string,
    setup: Parameters<typeof gateway>[0] = {},
  ) => {
    const { gw, store } = gateway(setup);
    const req = await b.build(build);
    const out = await gw.handleAuthReq(req.bytes);
    expect(out.kind).toBe("error");
    expect(await errorCodeOf(out.response)).toBe(code);
    expect(store.authorizationsByXid(toHex(req.parts.transIDs.xid))).toHaveLength(0);
    expect(store.account("visa-approve")?.held).toBe(0);
    return out;
  };

  it("AuthReqAmt inflated above the PurchAmt the cardholder signed", () =>
    refused({ amount: 12800, authReqAmount: 12801 }, "unspecifiedFailure"));

  it("AuthReqAmt in another currency", () =>
    refused(
      {
        merchant: (x) => {
          x.authReqData.authReqItem.authReqPayload.authReqAmt = { currency: 840, amount: 100, amtExp10: 0 };
        },
      },
      "unspecifiedFailure",
    ));

  it("CheckDigests.HOD2 differs from PIHead's HOD", () =>
    refused(
      {
        merchant: (x) => {
          const cd = x.authReqData.authReqItem.checkDigests!;
          x.authReqData.authReqItem.checkDigests = {
            ...cd,
            hOD2: { ...cd.hOD2, digest: new Uint8Array(cd.hOD2.digest).fill(1) },
          };
        },
      },
      "signatureFailure",
    ));

  it("CheckDigests.HOIData differs from the cardholder's", () =>
    refused(
      {
        merchant: (x) => {
          const cd = x.authReqData.authReqItem.checkDigests!;
          x.authReqData.authReqItem.checkDigests = {
            ...cd,
            hOIData: { ...cd.hOIData, digest: new Uint8Array(cd.hOIData.digest).fill(2) },
          };
        },
      },
      "signatureFailure",
    ));

  it("CheckDigests missing for a cardholder PI", () =>
    refused(
      {
        merchant: (x) => {
          const { checkDigests: _drop, ...rest } = x.authReqData.authReqItem;
          x.authReqData.authReqItem = rest;
        },
      },
      "signatureFailure",
    ));

  it.each([
    ["LID-C", { lid_C: Uint8Array.of(9, 9) }, "unknownLID"],
    ["language", { language: "ja" }, "wrapperMsgMismatch"],
    ["PReqDate", { pReqDate: new Date(Date.UTC(2020, 0, 1)) }, "wrapperMsgMismatch"],
  ] as const)("AuthTags TransIDs whose %s differs from the PI's, the XID the same", (_field, change, code) =>
    refused(
      {
        merchant: (x) => {
          const tags = x.authReqData.authReqItem.authTags;
          x.authReqData.authReqItem.authTags = { ...tags, transIDs: { ...tags.transIDs, ...change } };
        },
      },
      code,
    ),
  );

  it("AuthTags XID other than the PI's", () =>
    refused(
      {
        merchant: (x) => {
          const tags = x.authReqData.authReqItem.authTags;
          x.authReqData.authReqItem.authTags = {
            ...tags,
            transIDs: { ...tags.transIDs, xid: new Uint8Array(20).fill(9) },
          };
        },
      },
      "unknownXID",
    ));

  const flipLast = (der: Uint8Array) => {
    const out = new Uint8Array(der);
    out[out.length - 1] ^= 1;
    return out;
  };
  const tamperPI = (part: "piSignature" | "exPIData") => (der: Uint8Array) => {
    const pi = decodeDer(schema.PI, der);
    if (pi.type !== "piDualSigned") throw new Error("not dual-signed");
    return encodeDer(schema.PI, {
      type: "piDualSigned",
      value: { ...pi.value, [part]: flipLast(pi.value[part]) },
    });
  };

  // Inside the PI, a bad dual signature is the generic decryption failure: its digest covers
  // decrypted bytes, so a distinct signatureFailure would tell a prober the padding survived.
  it("a tampered PI: the dual signature's last byte flipped is the generic decryption failure", () =>
    refused({ pi: tamperPI("piSignature") }, "decodingFailure"));

  it("a tampered PI: the gateway's EX envelope's last byte flipped", () =>
    refused({ pi: tamperPI("exPIData") }, "decodingFailure"));

  it("a PI altered after the merchant linked it (baggage swap) is the generic decryption failure", async () => {
    const { gw, store } = gateway();
    const req = await b.build();
    const other = await b.build();
    const swapped = wrapMessage(
      { type: "authorizationRequest", value: { ...req.authReq, pi: other.piDer } },
      { rrpid: req.parts.authRRPID },
      { date: new Date() },
    );
    const out = await gw.handleAuthReq(swapped);
    expect(await errorCodeOf(out.response)).toBe("decodingFailure");
    expect(store.account("visa-approve")?.held).toBe(0);
  });

  it("a PI signed by another card than the one whose account data it carries is piAuthMismatch", async () => {
    const { gw, store } = gateway();
    const out = await gw.handleAuthReq(
      (await b.build({ card: "visa-approve", signingCard: "visa-nsf" })).bytes,
    );
    expect((await authCodeOf(out.response)).authCode).toBe("piAuthMismatch");
    expect(store.account("visa-approve")?.held).toBe(0);
  });

  it("header XID other than the protected one", () =>
    refused({ header: (ids) => ({ ...ids, xid: new Uint8Array(20).fill(3) }) }, "wrapperMsgMismatch"));

  it("header RRPID other than AuthRRTags.rrpid", () =>
    refused({ header: (ids) => ({ ...ids, rrpid: new Uint8Array(20).fill(4) }) }, "wrapperMsgMismatch"));

  it("header dated too long ago", () => refused({ date: new Date(Date.now() - 3600_000) }, "messageTooOld"));

  it("header dated in the future", () => refused({ date: new Date(Date.now() + 3600_000) }, "messageTooNew"));

  it("an envelope sealed to someone else's key", async () => {
    await refused({ sealTo: pki.certificate("visa/merchant/key-exchange") }, "decodingFailure");
  });

  it("a merchant of another brand than the gateway key it sealed to; the signed Error names its certificate", async () => {
    const out = await refused({ merchantBrand: "MasterCard" }, "invalidCertificate");
    const error = await receiveError(p, out.response, gatewaySigners());
    expect(error.signed).toBe(true);
    const merchant = parseSetCertificate(pki.certificate("mastercard/merchant/signature"));
    expect(error.thumb).toEqual(await thumbOf(p, merchant));
  });

  it("a cardholder certificate of another brand than the gateway's; the Error names it", async () => {
    const out = await refused(
      { card: "mc-approve", gatewayBrand: "Visa", merchantBrand: "Visa" },
      "invalidCertificate",
    );
    const card = parseSetCertificate(pki.certificate("mastercard/cards/mc-approve"));
    expect((await receiveError(p, out.response, gatewaySigners())).thumb).toEqual(await thumbOf(p, card));
  });

  it("an AuthReq that carries no merchant key-exchange certificate", () =>
    refused({ carriedKex: null }, "missingCertificate"));

  it("a carried key-exchange certificate of another merchant (another merID)", async () => {
    const out = await refused(
      { carriedKex: pki.certificate("attack/visa/merchant-b/key-exchange") },
      "invalidCertificate",
    );
    expect(out.reason).toContain("merID");
  });
});

describe("gateway: what is not an AuthReq", () => {
  it("garbage is a decodingFailure Error", async () => {
    const { gw } = gateway();
    const out = await gw.handleAuthReq(new TextEncoder().encode("not DER at all"));
    expect(out.kind).toBe("error");
    expect(await errorCodeOf(out.response)).toBe("decodingFailure");
  });

  it("another SET message is messageNotSupported", async () => {
    const { gw } = gateway();
    const res = await gw.handleAuthReq((await b.build()).bytes);
    const out = await gw.handleAuthReq(res.response); // an AuthRes sent back to the gateway
    expect(await errorCodeOf(out.response)).toBe("messageNotSupported");
  });

  it("an Error is never answered", async () => {
    const { gw } = gateway();
    const err = await errorMessage(p, new SetError("decodingFailure", "x"), new Uint8Array([1, 2, 3]));
    const out = await gw.handleAuthReq(err);
    expect(out.kind).toBe("dropped");
    expect(out.response).toHaveLength(0);
  });
});
