import { signWebhook, verifyWebhook } from "./webhookSignature";

const secret = "k".repeat(40);
const body = JSON.stringify({
  id: "evt_00000000000000000000000000000001",
  type: "authorized",
  createdAt: "2026-01-01T00:00:00.000Z",
  order: { id: 1, lidM: "order-1", state: "authorized", amount: { amount: 1, currency: 392, amtExp10: 0 } },
});
const t = 1_800_000_000;
const now = new Date(t * 1000);

test("docs/webhooks.md's test vector", () => {
  expect(signWebhook("whsec_test_0123456789abcdef0123456789", '{"id":"evt_1"}', 1_800_000_000)).toBe(
    "t=1800000000,v1=62158cf82ddff921f9cf0130e948ffb6ed975b3480d264fe0046e4c0a4dc3c84",
  );
});

describe("verifyWebhook", () => {
  test("a genuine webhook, as a string or bytes, within the tolerance", () => {
    const signature = signWebhook(secret, body, t);
    expect(signature).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhook({ body, signature, secret, now }).type).toBe("authorized");
    expect(
      verifyWebhook({ body: Buffer.from(body), signature, secret, now: new Date((t + 299) * 1000) }).id,
    ).toMatch(/^evt_/);
    // A second v1 (a secret being rolled over) does not hide the good one.
    expect(
      verifyWebhook({ body, signature: `${signature},v1=${"0".repeat(64)}`, secret, now }),
    ).toBeDefined();
  });

  test.each([
    ["missing header", { signature: undefined }, "missingSignature"],
    ["garbage header", { signature: "nonsense" }, "malformedSignature"],
    ["no v1", { signature: `t=${t}` }, "malformedSignature"],
    ["two t", { signature: `t=${t},t=${t},v1=${"0".repeat(64)}` }, "malformedSignature"],
    ["bad signature", { signature: `t=${t},v1=${"0".repeat(64)}` }, "signatureMismatch"],
    ["wrong secret", { secret: "j".repeat(40) }, "signatureMismatch"],
    ["tampered body", { body: body.replace('"authorized"', '"declined"') }, "signatureMismatch"],
    [
      "timestamp moved",
      { signature: signWebhook(secret, body, t).replace(`t=${t}`, `t=${t + 1}`) },
      "signatureMismatch",
    ],
    ["old timestamp", { now: new Date((t + 301) * 1000) }, "timestampOutsideTolerance"],
    ["from the future", { now: new Date((t - 301) * 1000) }, "timestampOutsideTolerance"],
    [
      "tighter tolerance",
      { now: new Date((t + 11) * 1000), toleranceSeconds: 10 },
      "timestampOutsideTolerance",
    ],
  ] as const)("%s -> %s", (_what, change, code) => {
    const options = {
      body,
      signature: signWebhook(secret, body, t) as string | undefined,
      secret,
      now,
      ...change,
    };
    expect(() => verifyWebhook(options)).toThrow(expect.objectContaining({ code }));
  });

  test("a signed body that is not an order event -> malformedBody", () => {
    for (const b of ["not json", JSON.stringify({ id: "x", type: "shipped" }), "null"])
      expect(() => verifyWebhook({ body: b, signature: signWebhook(secret, b, t), secret, now })).toThrow(
        expect.objectContaining({ code: "malformedBody" }),
      );
  });
});
