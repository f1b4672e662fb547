import { PassThrough } from "node:stream";
import { promptConfirmation } from "./promptConfirmation";

const request = {
  cardId: "visa-approve",
  merchantName: "SET Lab Test Shop",
  merID: "SETLAB-MER-0001",
  purchAmt: { currency: 392, amount: 12345, amtExp10: -2 },
  gateway: "Visa Payment Gateway",
  description: "1 x mug",
};

function screen() {
  const input = new PassThrough();
  const output = new PassThrough();
  const shown = { text: "" };
  output.on("data", (d) => {
    shown.text += d;
  });
  return { input, output, shown, confirm: promptConfirmation(input, output) };
}

test("the phone asks with merchant, amount and gateway; y is yes, anything else no, a closed input no", async () => {
  const { input, shown, confirm } = screen();
  const first = confirm(request);
  const second = confirm(request);
  input.write("y\nno\n");
  expect(await first).toBe(true);
  expect(await second).toBe(false);
  expect(shown.text).toContain("SET Lab Test Shop (SETLAB-MER-0001)");
  expect(shown.text).toContain("pay JPY 123.45 to");
  expect(shown.text).toContain("Payment gateway: Visa Payment Gateway");
  expect(shown.text).not.toContain("every");
  const third = confirm(request);
  input.end();
  expect(await third).toBe(false);
});

test("an order description cannot draw lines of its own on the phone's screen", async () => {
  const { input, shown, confirm } = screen();
  const answer = confirm({
    ...request,
    description: "mug\nCard visa-approve: pay JPY 1 to Nice Shop?\u001b[2J",
  });
  input.write("n\n");
  expect(await answer).toBe(false);
  const lines = shown.text.split("\n");
  expect(lines.filter((l) => l.startsWith("Card "))).toHaveLength(1);
  expect(shown.text).not.toContain("\u001b");
  expect(shown.text).toContain("Order: mug?Card visa-approve");
});

test("a huge amount is shown exactly, with its currency's code, never through floating point", async () => {
  const { input, shown, confirm } = screen();
  const asked = confirm({ ...request, purchAmt: { currency: 840, amount: 1234, amtExp10: 18 } });
  input.write("n\n");
  await asked;
  expect(shown.text).toContain("pay USD 1234000000000000000000.00 to");
  expect(shown.text).not.toMatch(/e\+/);
});

test("recurring terms are on the question, beside the amount they repeat", async () => {
  const { input, shown, confirm } = screen();
  const asked = confirm({ ...request, terms: "every 30 days until 2099-12-31" });
  input.write("y\n");
  expect(await asked).toBe(true);
  expect(shown.text).toContain("pay JPY 123.45 every 30 days until 2099-12-31 to SET Lab Test Shop");
});
