/** What `set-lab refund`, `reverse-capture` and `reverse-refund` send the merchant's admin routes, against a stand-in. */
import fastify from "fastify";
import { LabFailure } from "../labState";
import { capRevOrCredCommand, capRevOrCredOrderAt } from "./capRevOrCredOrder";

async function standIn(currency: number) {
  const seen: { url: string; auth?: string; body?: unknown }[] = [];
  const app = fastify();
  app.get("/orders/:id", async () => ({ id: 7, currency }));
  app.post("/orders/:id/:operation", async (req) => {
    seen.push({ url: req.url, auth: req.headers.authorization, body: req.body });
    return { id: 7, state: "refunded" };
  });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return { access: { url, token: "tok" }, seen, close: () => app.close() };
}

const credit = "ab".repeat(20);

describe("set-lab refund, reverse-capture, reverse-refund", () => {
  test("each posts to its route with the admin token; amounts in the order's currency, a credit by its id", async () => {
    const s = await standIn(840);
    await capRevOrCredOrderAt(s.access, "refund", "7");
    await capRevOrCredOrderAt(s.access, "refund", "7", { amount: "12.34" });
    await capRevOrCredOrderAt(s.access, "reverse-capture", "7");
    await capRevOrCredOrderAt(s.access, "reverse-refund", "7", { creditId: credit, amount: "1.00" });
    await capRevOrCredOrderAt(s.access, "reverse-capture", "7", { batchId: 3 });
    expect(s.seen).toEqual([
      { url: "/orders/7/refund", auth: "Bearer tok", body: {} },
      { url: "/orders/7/refund", auth: "Bearer tok", body: { amount: 1234, amtExp10: -2 } },
      { url: "/orders/7/reverse-capture", auth: "Bearer tok", body: {} },
      {
        url: "/orders/7/reverse-refund",
        auth: "Bearer tok",
        body: { creditId: credit, amount: 100, amtExp10: -2 },
      },
      { url: "/orders/7/reverse-capture", auth: "Bearer tok", body: { batchId: 3 } },
    ]);
    await s.close();
  });

  test("a bad order id, credit id or amount is refused before any call", async () => {
    const s = await standIn(392);
    await expect(capRevOrCredOrderAt(s.access, "refund", "x")).rejects.toThrow(LabFailure);
    await expect(capRevOrCredOrderAt(s.access, "reverse-refund", "7", { creditId: "zz" })).rejects.toThrow(
      LabFailure,
    );
    await expect(capRevOrCredOrderAt(s.access, "refund", "7", { amount: "50.5" })).rejects.toThrow(
      LabFailure,
    );
    expect(s.seen).toEqual([]);
    await s.close();
  });

  test("--batch takes a batch number only, refused before the lab is read", async () => {
    for (const n of ["0", "x", "2147483648"])
      await expect(
        capRevOrCredCommand("refund", ["7", "--batch", n, "--home", "/nonexistent"], () => undefined),
      ).rejects.toThrow(/--batch takes a batch number/);
  });
});
