import type { ConfirmationRequest } from "../card/confirmation";
import { confirmationPolicy } from "./serve";

const request = {} as ConfirmationRequest;

describe("the phone's automatic confirmation policies", () => {
  afterEach(() => jest.useRealTimers());

  it("auto and deny answer at once by default", async () => {
    await expect(confirmationPolicy("auto")(request)).resolves.toBe(true);
    await expect(confirmationPolicy("deny")(request)).resolves.toBe(false);
  });

  it("with --confirm-after-ms they answer only once that time has passed, as a person reading the phone", async () => {
    jest.useFakeTimers();
    for (const [mode, answer] of [
      ["auto", true],
      ["deny", false],
    ] as const) {
      let settled: boolean | undefined;
      const asked = confirmationPolicy(
        mode,
        1000,
      )(request).then((a) => {
        settled = a;
      });
      await jest.advanceTimersByTimeAsync(999);
      expect(settled).toBeUndefined();
      await jest.advanceTimersByTimeAsync(1);
      await asked;
      expect(settled).toBe(answer);
    }
  });
});
