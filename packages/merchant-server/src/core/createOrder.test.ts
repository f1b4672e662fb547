import { nodeProvider } from "@setlab/protocol";
import { createTestPki, type TestPki } from "@setlab/protocol/testing";
import { closedAtEnd } from "@setlab/runtime/testing";
import { SqliteRepository } from "../store/sqliteRepository";
import { GatewayFunction } from "../testing/gatewayFunction";
import { testMerchantConfig } from "../testing/testMerchantConfig";
import { Merchant } from "./merchant";
import { maxMetadataBytes, type OrderInput, OrderInputError } from "./newOrder";

const p = nodeProvider();
let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki(p);
});

function merchant() {
  const repo = closedAtEnd(new SqliteRepository(":memory:"));
  return {
    repo,
    merchant: new Merchant({
      p,
      repo,
      config: testMerchantConfig(pki),
      gateway: new GatewayFunction(p, pki),
    }),
  };
}

const mug: OrderInput = { description: "1 x mug", amount: 500, currency: 392 };

describe("createOrder", () => {
  test.each([
    [{ ...mug, amount: -500 }, "invalidAmount"],
    [{ ...mug, amount: 0 }, "invalidAmount"],
    [{ ...mug, amount: 1.5 }, "invalidAmount"],
    [{ ...mug, currency: 999 }, "invalidCurrency"],
    [{ ...mug, currency: "JPY" }, "invalidCurrency"],
    [{ ...mug, amtExp10: -1, amount: 15 }, "amountPrecision"],
    [{ ...mug, description: "" }, "invalidDescription"],
    [{ ...mug, brand: "Amex" }, "invalidBrand"],
    [{ ...mug, reference: "" }, "invalidReference"],
    [{ ...mug, reference: "r".repeat(129) }, "invalidReference"],
    [{ ...mug, reference: "A-1\n" }, "invalidReference"],
    [{ ...mug, metadata: [] }, "invalidMetadata"],
    [{ ...mug, metadata: { n: 1 } }, "invalidMetadata"],
    [{ ...mug, metadata: { big: "x".repeat(maxMetadataBytes) } }, "metadataTooLarge"],
    [{ ...mug, pan: "4111110000000005" }, "unknownField"],
  ])("%j -> OrderInputError %s, nothing stored", async (input, code) => {
    const { merchant: m, repo } = merchant();
    await expect(m.createOrder(input as OrderInput)).rejects.toThrow(expect.objectContaining({ code }));
    await expect(m.createOrder(input as OrderInput)).rejects.toBeInstanceOf(OrderInputError);
    expect(await repo.order(1)).toBeUndefined();
    await repo.close();
  });

  test("reference and metadata are kept with the order", async () => {
    const { merchant: m, repo } = merchant();
    const o = await m.createOrder({ ...mug, reference: "A-1001", metadata: { customer: "c-7" } });
    expect(await m.orderView(o.id)).toMatchObject({ reference: "A-1001", metadata: { customer: "c-7" } });
    await repo.close();
  });

  test("the same idempotency key and input: the same order; other input: idempotencyKeyReused", async () => {
    const { merchant: m, repo } = merchant();
    const input = { ...mug, metadata: { a: "1", b: "2" } };
    const first = await m.createOrder(input, { idempotencyKey: "checkout-42" });
    // Key order in metadata does not make it other input.
    const again = await m.createOrder(
      { ...mug, metadata: { b: "2", a: "1" } },
      { idempotencyKey: "checkout-42" },
    );
    expect(again.id).toBe(first.id);
    const [x, y] = await Promise.all([
      m.createOrder(mug, { idempotencyKey: "together" }),
      m.createOrder(mug, { idempotencyKey: "together" }),
    ]);
    expect(x.id).toBe(y.id);
    await expect(m.createOrder({ ...input, amount: 501 }, { idempotencyKey: "checkout-42" })).rejects.toThrow(
      expect.objectContaining({ code: "idempotencyKeyReused" }),
    );
    // Another key, or none: a new order.
    expect((await m.createOrder(input, { idempotencyKey: "checkout-43" })).id).not.toBe(first.id);
    expect((await m.createOrder(input)).id).not.toBe(first.id);
    for (const bad of ["", "with space", "k".repeat(256)])
      await expect(m.createOrder(mug, { idempotencyKey: bad })).rejects.toThrow(
        expect.objectContaining({ code: "invalidIdempotencyKey" }),
      );
    await repo.close();
  });
});
