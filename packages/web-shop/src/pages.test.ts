import type { Product } from "./catalogue";
import { cartTerms, inquiryPage, profilesFor, resultPage } from "./pages";

describe("resultPage", () => {
  const order = (state: string) => ({
    id: 3,
    state,
    amount: { currency: 392, amount: 500, amtExp10: 0 },
    completionCode: "authorizationPerformed",
  });

  it("tells the buyer of a reversed order that the hold on the card is released", () => {
    expect(resultPage(order("reversed"), undefined)).toContain("the amount held on your card is released");
  });

  it("a state it has no text for is shown as unknown", () => {
    expect(resultPage(order("noSuchState"), undefined)).toContain("Unknown state.");
  });
});

describe("the inquiry page and its link", () => {
  it("the order page links to it only when given its path", () => {
    const o = {
      id: 3,
      state: "authorizing",
      amount: { currency: 392, amount: 500, amtExp10: 0 },
      completionCode: null,
    };
    expect(resultPage(o, undefined, "/orders/3/inquire")).toContain(
      '<a href="/orders/3/inquire" id="order-inquiry-link">',
    );
    expect(resultPage(o, undefined)).not.toContain("order-inquiry-link");
  });

  it("carries one inquiry marker: the initiation object and the purchase's XID, escaped", () => {
    const page = inquiryPage({
      orderId: 3,
      description: "1 x <b>mug</b>",
      amount: { currency: 392, amount: 500, amtExp10: 0 },
      state: "authorizing",
      initiationPath: "/pay/orders/3/initiation",
      xid: "ab".repeat(20),
      resultPath: "/pay/orders/3/done",
    });
    expect(page.match(/<object[^>]*>/g)).toEqual([
      `<object id="set-payment-inquiry" type="application/set-payment-inquiry" data="/pay/orders/3/initiation" data-xid="${"ab".repeat(20)}" hidden>`,
    ]);
    expect(page).toContain("1 x &lt;b&gt;mug&lt;/b&gt;");
    expect(page).not.toContain("application/set-payment-initiation");
  });
});

describe("a cart's terms", () => {
  const plain: Product = { id: "mug", name: "Mug", blurb: "", price: 100 };
  const club: Product = { ...plain, id: "club", terms: { installments: 3 } };
  const profiles = ["set", "hardened", "embodiment-1", "embodiment-2"];

  it("none, a termed product's alone, or mixed", () => {
    expect(cartTerms([{ product: plain, quantity: 2 }])).toBeUndefined();
    expect(cartTerms([{ product: club, quantity: 2 }])).toEqual({ installments: 3 });
    expect(
      cartTerms([
        { product: club, quantity: 1 },
        { product: plain, quantity: 1 },
      ]),
    ).toBe("mixed");
  });

  it("a cart with terms is offered SET's profiles only: the embodiments carry no InstallRecurData", () => {
    expect(profilesFor([{ product: plain, quantity: 1 }], profiles)).toEqual(profiles);
    expect(profilesFor([{ product: club, quantity: 1 }], profiles)).toEqual(["set", "hardened"]);
    expect(profilesFor([{ product: club, quantity: 1 }], ["embodiment-2"])).toEqual([]);
  });
});
