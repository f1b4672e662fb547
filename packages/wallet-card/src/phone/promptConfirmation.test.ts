import { PassThrough } from "node:stream";
import { promptConfirmation } from "./promptConfirmation";

const request = {
  cardId: "visa-approve",
  merchantName: "SET Lab Test Shop",
  merID: "SETLAB-MER-0001",
  purchAmt: { currency: 392, amount: 12345, amtExp10: -2 },
  description: "1 x mug",
};

test("the phone asks with merchant and amount; y is yes, anything else no, a closed input no", async () => {
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = "";
  output.on("data", (d) => {
    shown += d;
  });
  const confirm = promptConfirmation(input, output);
  const first = confirm(request);
  const second = confirm(request);
  input.write("y\nno\n");
  expect(await first).toBe(true);
  expect(await second).toBe(false);
  expect(shown).toContain("SET Lab Test Shop (SETLAB-MER-0001)");
  expect(shown).toContain("123.45 (ISO 4217 currency 392)");
  const third = confirm(request);
  input.end();
  expect(await third).toBe(false);
});
