import { type CapRevOrCredKind, nodeProvider, toHex } from "@setlab/protocol";
import fc from "fast-check";
import { useGatewayTestKit } from "../testing/gatewayTestKit";
import {
  type ApprovedAuthorization,
  type CapRevOrCredItem,
  labMerID,
  type SentCapRevOrCred,
} from "../testing/merchantSide";

const p = nodeProvider();
const kit = useGatewayTestKit(p);

const gateway = () => kit.gateway();
type Gw = ReturnType<typeof gateway>;

async function capture(g: Gw, a: ApprovedAuthorization, amount: number) {
  const out = await g.gw.handle((await kit.merchant.capReq([{ a, amount }])).bytes);
  if (out.message !== "CapReq" || out.captured !== 1) throw new Error("not captured");
}

const newDate = () => kit.merchant.newDate();
const request = (kind: CapRevOrCredKind, items: readonly CapRevOrCredItem[], rrpid?: Uint8Array) =>
  kit.merchant.capRevOrCredReq(kind, items, rrpid);
const answer = (bytes: Uint8Array, sent: SentCapRevOrCred) => kit.merchant.capRevOrCredRes(bytes, sent);

const account = "visa-approve";
const state = ({ store }: Gw) => ({ held: store.account(account)?.held, posted: store.postedOf(account) });
const codeOf = async (g: Gw, sent: SentCapRevOrCred) => {
  const r = await answer((await g.gw.handle(sent.bytes)).response, sent);
  const [item] = r.items;
  return item.verdict === "done" ? "done" : item.payload.capRevOrCredCode;
};

describe("gateway: CredReq, CredRevReq, CapRevReq", () => {
  it("credits up to what was captured less what stands credited; a credit reversal takes it back; each moves the posting", async () => {
    const g = gateway();
    const a = await kit.merchant.authorize(g, 1000);
    await capture(g, a, 1000);
    expect(state(g)).toEqual({ held: 0, posted: 1000 });
    const first = await request("credit", [{ a, captured: 1000, amount: 300 }]);
    const out = await g.gw.handle(first.bytes);
    expect(out).toMatchObject({ message: "CredReq", kind: "answer", booked: 1, refused: 0 });
    expect((await answer(out.response, first)).items[0].verdict).toBe("done");
    expect(state(g)).toEqual({ held: 0, posted: 700 });
    expect(await codeOf(g, await request("credit", [{ a, captured: 1000, amount: 701 }]))).toBe(
      "amountError",
    );
    expect(state(g)).toEqual({ held: 0, posted: 700 });
    expect(await codeOf(g, await request("credit", [{ a, captured: 1000, amount: 700 }]))).toBe("done");
    expect(state(g)).toEqual({ held: 0, posted: 0 });
    expect(await codeOf(g, await request("creditReversal", [{ a, captured: 1000, amount: 1001 }]))).toBe(
      "amountError",
    );
    expect(await codeOf(g, await request("creditReversal", [{ a, captured: 1000, amount: 200 }]))).toBe(
      "done",
    );
    expect(state(g)).toEqual({ held: 0, posted: 200 });
    expect(g.store.captureStanding(toHex(a.authRRPID))).toMatchObject({
      amount: 1000n,
      credited: 1000n,
      creditReversed: 200n,
      reversed: false,
    });
  });

  it("the same CredReq again gets the same bytes and moves nothing; the same credit under a new RRPID is duplicateRequest", async () => {
    const g = gateway();
    const a = await kit.merchant.authorize(g, 1000);
    await capture(g, a, 1000);
    const date = newDate();
    const sent = await request("credit", [{ a, captured: 1000, amount: 100, date }]);
    const first = await g.gw.handle(sent.bytes);
    const again = await g.gw.handle(sent.bytes);
    expect(again.kind).toBe("replay");
    expect(again.response).toEqual(first.response);
    expect(state(g)).toEqual({ held: 0, posted: 900 });
    expect(await codeOf(g, await request("credit", [{ a, captured: 1000, amount: 100, date }]))).toBe(
      "duplicateRequest",
    );
    expect(state(g)).toEqual({ held: 0, posted: 900 });
  });

  it("an RRPID a request of another kind took is unknownRRPID, whatever its content", async () => {
    const g = gateway();
    const a = await kit.merchant.authorize(g, 1000);
    await capture(g, a, 1000);
    const date = newDate();
    const credit = await request("credit", [{ a, captured: 1000, amount: 100, date }]);
    await g.gw.handle(credit.bytes);
    const reuse = await request("creditReversal", [{ a, captured: 1000, amount: 100, date }], credit.rrpid);
    expect(await g.gw.handle(reuse.bytes)).toMatchObject({ kind: "error", errorCode: "unknownRRPID" });
    expect(state(g)).toEqual({ held: 0, posted: 900 });
  });

  it("a capture reversal removes the posting, leaves no hold, and happens once; credits after it find no capture", async () => {
    const g = gateway();
    const a = await kit.merchant.authorize(g, 2000);
    await capture(g, a, 1500);
    expect(state(g)).toEqual({ held: 0, posted: 1500 });
    const sent = await request("captureReversal", [{ a, captured: 1500 }]);
    const out = await g.gw.handle(sent.bytes);
    expect(out).toMatchObject({ message: "CapRevReq", booked: 1 });
    const r = await answer(out.response, sent);
    expect(r.items[0]).toMatchObject({ verdict: "done" });
    expect(state(g)).toEqual({ held: 0, posted: 0 });
    expect(await codeOf(g, await request("captureReversal", [{ a, captured: 1500 }]))).toBe(
      "originalNotFound",
    );
    expect(await codeOf(g, await request("credit", [{ a, captured: 1500, amount: 1 }]))).toBe(
      "originalNotFound",
    );
    expect(state(g)).toEqual({ held: 0, posted: 0 });
  });

  it("a capture reversal while a credit stands is originalProcessed; of a partial amount amountError", async () => {
    const g = gateway();
    const a = await kit.merchant.authorize(g, 1000);
    await capture(g, a, 1000);
    expect(await codeOf(g, await request("captureReversal", [{ a, captured: 1000, amount: 999 }]))).toBe(
      "amountError",
    );
    expect(await codeOf(g, await request("credit", [{ a, captured: 1000, amount: 10 }]))).toBe("done");
    expect(await codeOf(g, await request("captureReversal", [{ a, captured: 1000 }]))).toBe(
      "originalProcessed",
    );
    expect(state(g)).toEqual({ held: 0, posted: 990 });
  });

  it("any of the three for an authorization never captured is originalNotFound, its hold untouched", async () => {
    const g = gateway();
    const a = await kit.merchant.authorize(g, 1000);
    for (const kind of ["captureReversal", "credit", "creditReversal"] as const)
      expect(await codeOf(g, await request(kind, [{ a, captured: 1000, amount: 1000 }]))).toBe(
        "originalNotFound",
      );
    expect(state(g)).toEqual({ held: 1000, posted: 0 });
  });

  it("an item naming another capture than the one on record is capDataMismatch", async () => {
    const g = gateway();
    const a = await kit.merchant.authorize(g, 1000);
    await capture(g, a, 800);
    expect(await codeOf(g, await request("credit", [{ a, captured: 900, amount: 10 }]))).toBe(
      "capDataMismatch",
    );
    expect(state(g)).toEqual({ held: 0, posted: 800 });
  });

  it("the issuer's balance is its postings: captures less reversed captures less standing credits, after a mixed sequence and a restart", async () => {
    const file = kit.dbFile();
    const g = kit.gateway({ file });
    const [a, c, d] = [
      await kit.merchant.authorize(g, 1000),
      await kit.merchant.authorize(g, 2000),
      await kit.merchant.authorize(g, 3000),
    ];
    await capture(g, a, 1000);
    await capture(g, c, 2000);
    await capture(g, d, 2500);
    const sent = await request("credit", [
      { a, captured: 1000, amount: 250 },
      { a: c, captured: 2000, amount: 2000 },
    ]);
    const r = await answer((await g.gw.handle(sent.bytes)).response, sent);
    expect(r.items.map((i) => i.verdict)).toEqual(["done", "done"]);
    await codeOf(g, await request("creditReversal", [{ a: c, captured: 2000, amount: 500 }]));
    await codeOf(g, await request("captureReversal", [{ a: d, captured: 2500 }]));
    const model = 1000 - 250 + (2000 - 2000 + 500) + (2500 - 2500);
    expect(state(g)).toEqual({ held: 0, posted: model });
    await g.store.close();
    const restarted = kit.gateway({ file });
    expect(state(restarted)).toEqual({ held: 0, posted: model });
  });

  it("the ledger itself refuses the same item booked twice and a second capture reversal, writing nothing", async () => {
    const g = gateway();
    const a = await kit.merchant.authorize(g, 1000);
    await capture(g, a, 1000);
    const authRRPID = toHex(a.authRRPID);
    const row = { authRRPID, reqDate: newDate().toISOString(), amount: 100, currency: 392, cardId: account };
    const req = (rrpid: string, kind: CapRevOrCredKind) => ({
      rrpid,
      kind,
      merchantID: labMerID,
      requestHash: "00",
      response: new Uint8Array([1]),
      created: new Date().toISOString(),
    });
    await g.store.recordCapRevOrCred(req("01", "credit"), [{ ...row, kind: "credit" }]);
    await expect(
      g.store.recordCapRevOrCred(req("02", "credit"), [{ ...row, kind: "credit" }]),
    ).rejects.toThrow();
    expect(g.store.capRevOrCredRequest("02")).toBeUndefined();
    await g.store.recordCapRevOrCred(req("03", "creditReversal"), [{ ...row, kind: "creditReversal" }]);
    const reversal = { ...row, kind: "captureReversal" as const, amount: 1000 };
    await g.store.recordCapRevOrCred(req("04", "captureReversal"), [reversal]);
    await expect(
      g.store.recordCapRevOrCred(req("05", "captureReversal"), [
        { ...reversal, reqDate: newDate().toISOString() },
      ]),
    ).rejects.toThrow();
    expect(state(g)).toEqual({ held: 0, posted: 0 });
  });

  it("over random sequences of the three, the account's posted amount is its captures less reversed captures less standing credits (a model kept beside)", async () => {
    const op = fc.record({
      kind: fc.constantFrom<CapRevOrCredKind>("captureReversal", "credit", "creditReversal"),
      amount: fc.integer({ min: 1, max: 700 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 5 }), async (ops) => {
        const g = gateway();
        const a = await kit.merchant.authorize(g, 600);
        await capture(g, a, 600);
        let model = { posted: 600, credited: 0, reversed: false };
        for (const o of ops) {
          const sent = await request(o.kind, [
            { a, captured: 600, ...(o.kind === "captureReversal" ? {} : { amount: o.amount }) },
          ]);
          const done = (await codeOf(g, sent)) === "done";
          // What the gateway may do, worked out independently of judgeAgainstCapture.
          const may =
            !model.reversed &&
            (o.kind === "credit"
              ? o.amount <= 600 - model.credited
              : o.kind === "creditReversal"
                ? model.credited > 0 && o.amount <= model.credited
                : model.credited === 0);
          expect([o.kind, o.amount, done]).toEqual([o.kind, o.amount, may]);
          if (!done) continue;
          if (o.kind === "credit")
            model = { ...model, posted: model.posted - o.amount, credited: model.credited + o.amount };
          if (o.kind === "creditReversal")
            model = { ...model, posted: model.posted + o.amount, credited: model.credited - o.amount };
          if (o.kind === "captureReversal") model = { ...model, posted: 0, reversed: true };
          expect(state(g)).toEqual({ held: 0, posted: model.posted });
        }
        await g.store.close();
      }),
      { numRuns: 8 },
    );
  });
});
