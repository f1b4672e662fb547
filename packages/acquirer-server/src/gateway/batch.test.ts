import { nodeProvider, type schema } from "@setlab/protocol";
import { closedAtEnd } from "@setlab/runtime/testing";
import Fastify from "fastify";
import { gatewayAdminPlugin } from "../adminPlugin";
import { GatewayStore } from "../store/gatewayStore";
import { type GatewayTestKit, useGatewayTestKit } from "../testing/gatewayTestKit";
import { jpy, labMerID, type SentCapReq } from "../testing/merchantSide";
import { testStoreOptions } from "../testing/testStoreOptions";

const p = nodeProvider();
const kit = useGatewayTestKit(p);

type Gw = ReturnType<GatewayTestKit["gateway"]>;
const otherMerchant = "attack/visa/merchant-b";

async function captured(g: Gw, sent: SentCapReq) {
  const r = await kit.merchant.capRes((await g.gw.handle(sent.bytes)).response, sent);
  return r.items.map((i) => i.payload);
}

async function batchAdmin(
  g: Gw,
  operation: schema.BatchOperation,
  batchID = 0,
  options: { merchantId?: string; merID?: string } = {},
) {
  const sent = await kit.merchant.batchAdminReq(operation, batchID, options);
  const out = await g.gw.handle(sent.bytes);
  return {
    out,
    bytes: sent.bytes,
    rrpid: sent.rrpid,
    read: () => kit.merchant.batchAdminRes(out.response, sent),
  };
}

/** The answer to a request about batch 0 (the open batch). */
const answerOf = async (x: Awaited<ReturnType<typeof batchAdmin>>) => (await x.read()).data;

const ledger = ({ store }: Gw) => ({
  held: store.account("visa-approve")?.held,
  posted: store.postedOf("visa-approve"),
});

describe("gateway: batches", () => {
  it("captures go into the merchant's open batch (opened by the first capture), numbered in order; totals per brand and currency equal the sum of the items", async () => {
    const g = kit.gateway();
    const [a, c, d] = [
      await kit.merchant.authorize(g, 1000),
      await kit.merchant.authorize(g, 3000),
      await kit.merchant.authorize(g, 700),
    ];
    const first = await captured(
      g,
      await kit.merchant.capReq([
        { a, amount: 1000 },
        { a: c, amount: 2500 },
      ]),
    );
    expect(first.map((x) => [x.capCode, x.batchID, x.batchSequenceNum])).toEqual([
      ["success", 1, 1],
      ["success", 1, 2],
    ]);
    const second = await captured(g, await kit.merchant.capReq([{ a: d, amount: 700, batchID: 1 }]));
    expect(second.map((x) => [x.capCode, x.batchID, x.batchSequenceNum])).toEqual([["success", 1, 3]]);
    const items = g.store.batchItems(labMerID, 1);
    expect(items.map((i) => i.seq)).toEqual([1, 2, 3]);
    const totals = g.store.batchTotals(labMerID, 1);
    expect(totals).toEqual([
      { brand: "Visa", currency: 392, salesCount: 3, salesAmount: 4200, creditCount: 0, creditAmount: 0 },
    ]);
    expect(totals[0].salesAmount).toBe(items.reduce((n, i) => n + i.amount, 0));
    const status = await answerOf(await batchAdmin(g, "query"));
    expect(status).toMatchObject({
      batchID: 1,
      batchAdminCode: "success",
      batchStatus: { batchID: 1, transactionCount: 3, salesAmount: jpy(4200), creditAmount: jpy(0) },
      batchTotals: [
        { brandID: "Visa", salesCount: 3, salesAmount: jpy(4200), creditCount: 0, creditAmount: jpy(0) },
      ],
    });
    expect(status.batchStatus?.closedDateTime).toBeUndefined();
  });

  it("close is durable before the answer, repeated closes change nothing, and a closed batch takes no capture (batchClosed, no state change); the next capture opens batch 2", async () => {
    const file = kit.dbFile();
    const g = kit.gateway({ file });
    const [a, c] = [await kit.merchant.authorize(g, 1000), await kit.merchant.authorize(g, 2000)];
    await captured(g, await kit.merchant.capReq([{ a, amount: 1000 }]));
    const close = await batchAdmin(g, "close");
    expect(close.out).toMatchObject({
      message: "BatchAdminReq",
      kind: "batchAdminRes",
      batchID: 1,
      batchAdminCode: "success",
    });
    const closed = await answerOf(close);
    expect(closed.batchStatus?.closedDateTime).toBeDefined();
    // the same bytes again: the stored answer
    const again = await g.gw.handle(close.bytes);
    expect(again).toMatchObject({ kind: "replay" });
    expect(again.response).toEqual(close.out.response);
    // a restart sees the close (it was on disk before the answer)
    await g.store.close();
    const h = kit.gateway({ file });
    expect(h.store.batch(labMerID, 1)?.closed).toBeDefined();
    // closing batch 1 again under a new RRPID answers success, changes nothing
    const closedBefore = h.store.batch(labMerID, 1)?.closed;
    const reclose = await batchAdmin(h, "close", 1);
    expect((await reclose.read()).data.batchAdminCode).toBe("success");
    expect(h.store.batch(labMerID, 1)?.closed).toBe(closedBefore);
    // no open batch: close 0 is unknownBatch
    expect((await answerOf(await batchAdmin(h, "close"))).batchAdminCode).toBe("unknownBatch");
    // a capture into the closed batch is refused with batchClosed, nothing held or posted changes
    const before = ledger(h);
    const refused = await captured(h, await kit.merchant.capReq([{ a: c, amount: 2000, batchID: 1 }]));
    expect(refused.map((x) => x.capCode)).toEqual(["batchClosed"]);
    expect(ledger(h)).toEqual(before);
    expect(h.store.capture(Buffer.from(c.authRRPID).toString("hex"))).toBeUndefined();
    expect(h.store.batchItemCount(labMerID, 1)).toBe(1);
    // an unknown batch is batchUnknown
    expect(
      (await captured(h, await kit.merchant.capReq([{ a: c, amount: 2000, batchID: 9 }]))).map(
        (x) => x.capCode,
      ),
    ).toEqual(["batchUnknown"]);
    // without a batch named, the capture opens batch 2
    const next = await captured(h, await kit.merchant.capReq([{ a: c, amount: 2000 }]));
    expect(next.map((x) => [x.capCode, x.batchID, x.batchSequenceNum])).toEqual([["success", 2, 1]]);
    await h.store.close();
  });

  it("the close and its answer are on disk when the gateway answers: another connection (another process) sees them at once", async () => {
    const file = kit.dbFile();
    const g = kit.gateway({ file });
    const a = await kit.merchant.authorize(g, 1000);
    await captured(g, await kit.merchant.capReq([{ a, amount: 1000 }]));
    const reader = closedAtEnd(GatewayStore.open(file, testStoreOptions));
    expect(reader.batch(labMerID, 1)?.closed).toBeUndefined();
    const close = await batchAdmin(g, "close");
    expect(reader.batch(labMerID, 1)?.closed).toBeDefined();
    expect(reader.batchAdminRequest(Buffer.from(close.rrpid).toString("hex"))?.response).toEqual(
      close.out.response,
    );
    await reader.close();
    await g.store.close();
  });

  it("the ledger refuses an item in a closed batch whatever the caller decided: nothing of the write is kept", async () => {
    const g = kit.gateway();
    const [a, c] = [await kit.merchant.authorize(g, 1000), await kit.merchant.authorize(g, 500)];
    await captured(g, await kit.merchant.capReq([{ a, amount: 1000 }]));
    await batchAdmin(g, "close");
    const authRRPID = Buffer.from(c.authRRPID).toString("hex");
    const created = new Date().toISOString();
    const write = g.store.recordCapture(
      {
        capRRPID: "ab".repeat(20),
        merchantID: labMerID,
        requestHash: "x",
        response: new Uint8Array(1),
        created,
      },
      [{ authRRPID, capRRPID: "ab".repeat(20), amount: 500, currency: 392, cardId: "visa-approve", created }],
      {
        merchantID: labMerID,
        items: [
          {
            merchantID: labMerID,
            batchID: 1,
            seq: 2,
            kind: "capture",
            authRRPID,
            brand: "Visa",
            amount: 500,
            currency: 392,
            created,
          },
        ],
      },
    );
    await expect(write).rejects.toThrow(/batch is closed/);
    expect(g.store.capture(authRRPID)).toBeUndefined();
    expect(g.store.captureRequest("ab".repeat(20))).toBeUndefined();
  });

  it("open: a new batch when none is open; batchAlreadyOpen while one is; batchClosed for a closed one", async () => {
    const g = kit.gateway();
    expect((await answerOf(await batchAdmin(g, "open"))).batchID).toBe(1);
    const twice = await batchAdmin(g, "open", 2);
    expect((await twice.read()).data.batchAdminCode).toBe("batchAlreadyOpen");
    await batchAdmin(g, "close");
    expect((await (await batchAdmin(g, "open", 1)).read()).data.batchAdminCode).toBe("batchClosed");
    expect((await answerOf(await batchAdmin(g, "open"))).batchID).toBe(2);
  });

  it("a BatchAdmin from another merchant: its own batches only (unknownBatch), or refused (invalidCertificate) when it names the other merchant; no state change", async () => {
    const g = kit.gateway();
    const a = await kit.merchant.authorize(g, 1000);
    await captured(g, await kit.merchant.capReq([{ a, amount: 1000 }]));
    const query = await batchAdmin(g, "close", 1, { merchantId: otherMerchant });
    expect((await query.read()).data.batchAdminCode).toBe("unknownBatch");
    const posing = await batchAdmin(g, "close", 1, { merchantId: otherMerchant, merID: labMerID });
    expect(posing.out).toMatchObject({ kind: "error", errorCode: "invalidCertificate" });
    expect(g.store.batch(labMerID, 1)?.closed).toBeUndefined();
    expect(g.store.batchAdminRequest(Buffer.from(posing.rrpid).toString("hex"))).toBeUndefined();
  });
});

describe("gateway: a sale in a batch", () => {
  const sale = (amount: number) =>
    kit.b.build({
      amount,
      merchant: (parts) => {
        parts.authReqData = { ...parts.authReqData, captureNow: true };
      },
    });
  const soldIn = async (g: Gw, amount: number) => {
    const r = await kit.b.read((await g.gw.handle((await sale(amount)).bytes)).response);
    if (r.type !== "authRes") throw new Error("no AuthRes");
    const c = r.data.authResPayload.capResPayload;
    return [c?.capCode, c?.batchID, c?.batchSequenceNum];
  };

  it("a sale's capture goes into the merchant's open batch after the captures, its totals include it; after a close, the next sale opens the next batch", async () => {
    const g = kit.gateway();
    const a = await kit.merchant.authorize(g, 1000);
    await captured(g, await kit.merchant.capReq([{ a, amount: 1000 }]));
    expect(await soldIn(g, 500)).toEqual(["success", 1, 2]);
    expect(g.store.batchTotals(labMerID, 1)).toEqual([
      { brand: "Visa", currency: 392, salesCount: 2, salesAmount: 1500, creditCount: 0, creditAmount: 0 },
    ]);
    await batchAdmin(g, "close");
    expect(await soldIn(g, 300)).toEqual(["success", 2, 1]);
    expect(g.store.batch(labMerID, 2)?.closed).toBeUndefined();
  });
});

describe("gateway: settlement report", () => {
  it("a closed batch's report, JSON and table, from the admin route: totals per brand and currency and the item list; an open batch is not settled yet", async () => {
    const g = kit.gateway();
    const [a, c] = [await kit.merchant.authorize(g, 1000), await kit.merchant.authorize(g, 2345)];
    await captured(
      g,
      await kit.merchant.capReq([
        { a, amount: 1000 },
        { a: c, amount: 2000 },
      ]),
    );
    const app = Fastify();
    await app.register(gatewayAdminPlugin, { store: g.store, token: "t".repeat(32) });
    // fastify's inject needs an ES module jest does not load here: a real listener instead
    const base = await app.listen({ port: 0, host: "127.0.0.1" });
    const get = async (
      url: string,
      headers: Record<string, string> = { authorization: `Bearer ${"t".repeat(32)}` },
    ) => {
      const r = await fetch(`${base}${url}`, { headers });
      const body = await r.text();
      return {
        statusCode: r.status,
        body,
        json: () => JSON.parse(body),
        headers: { "content-type": r.headers.get("content-type") },
      };
    };
    try {
      expect((await get("/admin/batches/SETLAB-MER-0001/1/settlement")).statusCode).toBe(409);
      await batchAdmin(g, "close");
      const json = await get("/admin/batches/SETLAB-MER-0001/1/settlement");
      expect(json.statusCode).toBe(200);
      const report = json.json();
      expect(report).toMatchObject({
        merchantID: labMerID,
        batchID: 1,
        itemCount: 2,
        totals: [
          {
            brand: "Visa",
            currency: 392,
            salesCount: 2,
            sales: { minorUnits: 3000, amount: "JPY 3000" },
            creditCount: 0,
            credits: { minorUnits: 0, amount: "JPY 0" },
            net: { minorUnits: 3000, amount: "JPY 3000" },
          },
        ],
      });
      expect(report.items.map((i: { seq: number; minorUnits: number }) => [i.seq, i.minorUnits])).toEqual([
        [1, 1000],
        [2, 2000],
      ]);
      const text = await get("/admin/batches/SETLAB-MER-0001/1/settlement?format=table");
      expect(text.headers["content-type"]).toMatch(/^text\/plain/);
      expect(text.body).toMatch(/Settlement of batch 1 of merchant SETLAB-MER-0001/);
      expect(text.body).toMatch(/Visa\s+2\s+JPY 3000\s+0\s+JPY 0\s+JPY 3000/);
      expect(text.body).toMatch(/1\s+capture\s+Visa\s+JPY 1000/);
      expect((await get("/admin/batches/SETLAB-MER-0001/2/settlement")).statusCode).toBe(404);
      expect((await get("/admin/batches/SETLAB-MER-0001/0/settlement")).statusCode).toBe(400);
      expect((await get("/admin/batches/SETLAB-MER-0001/1/settlement", {})).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});
