import { nodeProvider, toHex } from "@setlab/protocol";
import { useGatewayTestKit } from "../testing/gatewayTestKit";
import { type ApprovedAuthorization, jpy } from "../testing/merchantSide";

const p = nodeProvider();
const kit = useGatewayTestKit(p);

const gateway = () => kit.gateway();

type Gw = ReturnType<typeof gateway>;

const account = "visa-approve";
const state = ({ store }: Gw) => ({ held: store.account(account)?.held, posted: store.postedOf(account) });

describe("gateway: CapReq -> CapRes", () => {
  it("captures in full and in part: each hold becomes a posting of the amount captured", async () => {
    const g = gateway();
    const [a, c] = [await kit.merchant.authorize(g, 1000), await kit.merchant.authorize(g, 3000)];
    expect(state(g)).toEqual({ held: 4000, posted: 0 });
    const sent = await kit.merchant.capReq([
      { a, amount: 1000 },
      { a: c, amount: 2500 },
    ]);
    const out = await g.gw.handle(sent.bytes);
    expect(out).toMatchObject({ message: "CapReq", kind: "capRes", captured: 2, refused: 0 });
    const r = await kit.merchant.capRes(out.response, sent);
    expect(r.items.map((i) => i.verdict)).toEqual(["captured", "captured"]);
    // the partial capture releases the whole hold of its authorization
    expect(state(g)).toEqual({ held: 0, posted: 3500 });
    expect(g.store.capture(toHex(c.authRRPID))).toMatchObject({ amount: 2500, currency: 392 });
  });

  it("a captured authorization holds nothing even read at a time before its capture (a clock that ran ahead)", async () => {
    const g = gateway();
    const a = await kit.merchant.authorize(g, 1000);
    await g.gw.handle((await kit.merchant.capReq([{ a, amount: 1000 }])).bytes);
    expect(g.store.account(account, new Date(Date.now() - 60_000))?.held).toBe(0);
  });

  it("the same CapReq again gets the same bytes and changes nothing", async () => {
    const g = gateway();
    const a = await kit.merchant.authorize(g, 1000);
    const sent = await kit.merchant.capReq([{ a, amount: 1000 }]);
    const first = await g.gw.handle(sent.bytes);
    const before = state(g);
    const again = await g.gw.handle(sent.bytes);
    expect(again.kind).toBe("replay");
    expect(again.response).toEqual(first.response);
    expect(state(g)).toEqual(before);
  });

  it("a second capture of a captured authorization, under a new CapRRPID, is duplicateRequest and books nothing", async () => {
    const g = gateway();
    const a = await kit.merchant.authorize(g, 1000);
    await g.gw.handle((await kit.merchant.capReq([{ a, amount: 400 }])).bytes);
    const before = state(g);
    const sent = await kit.merchant.capReq([{ a, amount: 400 }]);
    const r = await kit.merchant.capRes((await g.gw.handle(sent.bytes)).response, sent);
    expect(r.items[0]).toMatchObject({ verdict: "refused", payload: { capCode: "duplicateRequest" } });
    expect(state(g)).toEqual(before);
  });

  it("a capture over the authorization is amountError and books nothing; the authorization stays capturable", async () => {
    const g = gateway();
    const a = await kit.merchant.authorize(g, 1000);
    const sent = await kit.merchant.capReq([{ a, amount: 1001 }]);
    const r = await kit.merchant.capRes((await g.gw.handle(sent.bytes)).response, sent);
    expect(r.items[0]).toMatchObject({ verdict: "refused", payload: { capCode: "amountError" } });
    expect(state(g)).toEqual({ held: 1000, posted: 0 });
    const ok = await kit.merchant.capReq([{ a, amount: 1000 }]);
    expect((await kit.merchant.capRes((await g.gw.handle(ok.bytes)).response, ok)).items[0].verdict).toBe(
      "captured",
    );
  });

  it("a CapToken of another transaction is invalidCapToken; the other items of the request are still captured", async () => {
    const g = gateway();
    const [a, c] = [await kit.merchant.authorize(g, 1000), await kit.merchant.authorize(g, 2000)];
    const sent = await kit.merchant.capReq([
      { a, amount: 1000, token: c.capToken },
      { a: c, amount: 2000 },
    ]);
    const out = await g.gw.handle(sent.bytes);
    const r = await kit.merchant.capRes(out.response, sent);
    expect(r.items.map((i) => i.payload.capCode)).toEqual(["invalidCapToken", "success"]);
    expect(state(g)).toEqual({ held: 1000, posted: 2000 });
  });

  it("an authorization whose hold was released is authExpired and books nothing", async () => {
    const g = gateway();
    const a = await kit.merchant.authorize(g, 1000);
    expect(await g.store.releaseHold(toHex(a.authRRPID), new Date())).toBe(true);
    const sent = await kit.merchant.capReq([{ a, amount: 1000 }]);
    const r = await kit.merchant.capRes((await g.gw.handle(sent.bytes)).response, sent);
    expect(r.items[0].payload.capCode).toBe("authExpired");
    expect(g.store.postedOf(account)).toBe(0);
  });

  it("a CapReq for an authorization the gateway has no record of is authDataMissing", async () => {
    const g = gateway();
    const a = await kit.merchant.authorize(g, 1000);
    const other = gateway();
    const sent = await kit.merchant.capReq([{ a, amount: 1000 }]);
    const r = await kit.merchant.capRes((await other.gw.handle(sent.bytes)).response, sent);
    expect(r.items[0].payload.capCode).toBe("authDataMissing");
    expect(state(other)).toEqual({ held: 0, posted: 0 });
  });

  it("a CapRRPID reused for other content is answered with an Error (unknownRRPID), booking nothing", async () => {
    const g = gateway();
    const [a, c] = [await kit.merchant.authorize(g, 1000), await kit.merchant.authorize(g, 2000)];
    const first = await kit.merchant.capReq([{ a, amount: 1000 }]);
    await g.gw.handle(first.bytes);
    const before = state(g);
    const reuse = await kit.merchant.capReq([{ a: c, amount: 2000 }], first.rrpid);
    const out = await g.gw.handle(reuse.bytes);
    expect(out).toMatchObject({ kind: "error", errorCode: "unknownRRPID" });
    expect(state(g)).toEqual(before);
  });
});

describe("the capture ledger's write", () => {
  it("is all or nothing: a capture whose hold is no longer live refuses the whole write, the CapReq row included", async () => {
    const g = gateway();
    const [a, c] = [await kit.merchant.authorize(g, 1000), await kit.merchant.authorize(g, 2000)];
    await g.store.releaseHold(toHex(c.authRRPID), new Date());
    const created = new Date().toISOString();
    const capture = (x: ApprovedAuthorization, amount: number) => ({
      authRRPID: toHex(x.authRRPID),
      capRRPID: "aa",
      amount,
      currency: 392,
      cardId: account,
      created,
    });
    await expect(
      g.store.recordCapture(
        {
          capRRPID: "aa",
          merchantID: "SETLAB-MER-0001",
          requestHash: "h",
          response: new Uint8Array(1),
          created,
        },
        [capture(a, 1000), capture(c, 2000)],
      ),
    ).rejects.toThrow();
    expect(g.store.captureRequest("aa")).toBeUndefined();
    expect(g.store.capture(toHex(a.authRRPID))).toBeUndefined();
    expect(state(g)).toEqual({ held: 1000, posted: 0 });
  });
});

describe("gateway: sale (AuthReq with CaptureNow)", () => {
  const sale = (card: string, amount: number) =>
    kit.b.build({
      card,
      amount,
      merchant: (parts) => {
        parts.authReqData = { ...parts.authReqData, captureNow: true };
      },
    });

  it("an approved sale carries its capture and its CapToken in the AuthRes, and books the posting with no hold left", async () => {
    const g = gateway();
    const req = await sale("visa-approve", 1200);
    const r = await kit.b.read((await g.gw.handle(req.bytes)).response);
    if (r.type !== "authRes") throw new Error("no AuthRes");
    expect(r.data.authResPayload.capResPayload).toEqual({
      capCode: "success",
      capAmt: jpy(1200),
      batchID: 1,
      batchSequenceNum: 1,
    });
    expect(r.baggage.capToken?.type).toBe("enc");
    expect(state(g)).toEqual({ held: 0, posted: 1200 });
    expect(g.store.capture(toHex(req.parts.authRRPID))).toMatchObject({ amount: 1200, cap_rrpid: null });
    // The same AuthReq again: the stored answer, nothing booked twice.
    await g.gw.handle(req.bytes);
    expect(state(g)).toEqual({ held: 0, posted: 1200 });
  });

  it("a CapReq with a sale's CapToken is refused as a second capture and books nothing", async () => {
    const g = gateway();
    const a = await kit.merchant.authorize(g, 1200, { sale: true });
    const before = state(g);
    const sent = await kit.merchant.capReq([{ a, amount: 1200 }]);
    const r = await kit.merchant.capRes((await g.gw.handle(sent.bytes)).response, sent);
    expect(r.items[0]).toMatchObject({ verdict: "refused", payload: { capCode: "duplicateRequest" } });
    expect(state(g)).toEqual(before);
  });

  it("a declined sale captures nothing", async () => {
    const g = gateway();
    const req = await sale("visa-nsf", 1200);
    const r = await kit.b.read((await g.gw.handle(req.bytes)).response);
    if (r.type !== "authRes") throw new Error("no AuthRes");
    expect(r.data.authResPayload.authHeader.authCode).not.toBe("approved");
    expect(r.data.authResPayload.capResPayload).toBeUndefined();
    expect(g.store.capture(toHex(req.parts.authRRPID))).toBeUndefined();
  });
});

describe("gateway: a partial approval's CapToken", () => {
  it("binds the AuthAmt approved, not the amount asked", async () => {
    const g = gateway();
    const req = await kit.b.build({ card: "visa-debit", amount: 1_200_000 });
    const r = await kit.b.read((await g.gw.handle(req.bytes)).response);
    if (r.type !== "authRes") throw new Error("no AuthRes");
    const a = {
      transIDs: req.parts.transIDs,
      authRRPID: req.parts.authRRPID,
      capToken: r.baggage.capToken!,
      authAmt: r.data.authResPayload.authHeader.authAmt,
    };
    expect(a.authAmt.amount).toBe(1_000_000);
    const over = await kit.merchant.capReq([{ a, amount: 1_000_001 }]);
    expect(
      (await kit.merchant.capRes((await g.gw.handle(over.bytes)).response, over)).items[0].payload.capCode,
    ).toBe("amountError");
    const all = await kit.merchant.capReq([{ a, amount: 1_000_000 }]);
    expect((await kit.merchant.capRes((await g.gw.handle(all.bytes)).response, all)).items[0].verdict).toBe(
      "captured",
    );
  });
});
