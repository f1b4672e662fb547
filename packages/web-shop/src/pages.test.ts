import { resultPage } from "./pages";

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
