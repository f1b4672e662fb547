/** Claim 2 at the mediator's one door to the shop: a non-forward item is refused before any send. */
import { buildE2Init, buildE2OrderForBuyer } from "@setlab/protocol";
import { PurchaseStop } from "./cardAnswers";
import { shopPost } from "./embodiment2Exchange";

describe("shopPost", () => {
  const order = {
    merchantName: "SET Lab Test Shop",
    order: { od: new TextEncoder().encode("1 x mug"), purchAmt: { currency: 392, amount: 1, amtExp10: 0 } },
  };

  test("refuses an item marked non-forward without sending it", async () => {
    // Port 1 on loopback: a send would fail as unreachable, not as non-forward.
    const post = shopPost("http://127.0.0.1:1/set/embodiment", undefined, 1000);
    const marked = buildE2OrderForBuyer(order, new Date());
    const refusal = await post(marked, "order").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refusal).toBeInstanceOf(PurchaseStop);
    expect((refusal as PurchaseStop).message).toBe("the order is marked non-forward: not sent");
    // Anything else is sent (and here fails to reach the closed port).
    const other = await post(buildE2Init({ lid_M: Uint8Array.of(1) }, new Date()), "E2Init").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((other as PurchaseStop).message).toMatch(/^sending the E2Init: /);
  });
});
