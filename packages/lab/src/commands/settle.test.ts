/** What `set-lab settle` asks of the merchant's and the gateway's admin routes, against stand-ins over real HTTP. */
import fastify from "fastify";
import { LabFailure } from "../labState";
import { settleAt } from "./settle";

async function standIns(code: string, reportStatus = 200) {
  const seen: string[] = [];
  const merchant = fastify();
  merchant.post("/batches/close", async (req) => {
    seen.push(`merchant ${req.method} ${req.url} ${req.headers.authorization}`);
    return { code, merchantID: "SETLAB-MER-0001", batchId: code === "success" ? 3 : 0, totals: [] };
  });
  const gateway = fastify();
  gateway.get("/admin/batches/:m/:b/settlement", async (req, reply) => {
    seen.push(`gateway ${req.url} ${req.headers.authorization}`);
    reply.code(reportStatus);
    if ((req.query as { format?: string }).format === "table") return reply.type("text/plain").send("TABLE");
    return { batchID: 3 };
  });
  const m = await merchant.listen({ port: 0, host: "127.0.0.1" });
  const g = await gateway.listen({ port: 0, host: "127.0.0.1" });
  return {
    merchant: { url: m, token: "mt" },
    gateway: { url: g, token: "gt" },
    seen,
    close: async () => {
      await merchant.close();
      await gateway.close();
    },
  };
}

test("closes through the merchant, then reads the closed batch's report from the gateway, with each one's token", async () => {
  const s = await standIns("success");
  const r = await settleAt(s.merchant, s.gateway);
  expect([r.batch.batchId, r.table, r.report]).toEqual([3, "TABLE", { batchID: 3 }]);
  expect(s.seen.sort()).toEqual([
    "gateway /admin/batches/SETLAB-MER-0001/3/settlement Bearer gt",
    "gateway /admin/batches/SETLAB-MER-0001/3/settlement?format=table Bearer gt",
    "merchant POST /batches/close Bearer mt",
  ]);
  await s.close();
});

test("no open batch: the merchant's answer only, no report asked for; a gateway refusal is a LabFailure", async () => {
  const none = await standIns("unknownBatch");
  const r = await settleAt(none.merchant, none.gateway);
  expect([r.batch.code, r.table]).toEqual(["unknownBatch", undefined]);
  expect(none.seen).toHaveLength(1);
  await none.close();
  const refused = await standIns("success", 409);
  await expect(settleAt(refused.merchant, refused.gateway)).rejects.toThrow(LabFailure);
  await refused.close();
});
