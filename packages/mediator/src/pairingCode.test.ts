/** Where the mediator takes the pairing code from: the flag, SETLAB_PAIRING_CODE, or the user. */
import { pairingCodeSource, pairingPrompt } from "./cli";

const silent = { out: () => {}, err: () => {} };

describe("pairingCodeSource", () => {
  test("the flag wins over the environment", () => {
    expect(pairingCodeSource("123456", { SETLAB_PAIRING_CODE: "654321" }, silent)).toBe("123456");
  });

  test("else SETLAB_PAIRING_CODE", () => {
    expect(pairingCodeSource(undefined, { SETLAB_PAIRING_CODE: "654321" }, silent)).toBe("654321");
  });

  test("a flag or variable that is not 6 digits is a mistake in the call", () => {
    expect(() => pairingCodeSource("12345", {}, silent)).toThrow("--pairing-code must be 6 digits");
    expect(() => pairingCodeSource("1234567", {}, silent)).toThrow("--pairing-code must be 6 digits");
    expect(() => pairingCodeSource(undefined, { SETLAB_PAIRING_CODE: "12 456" }, silent)).toThrow(
      "SETLAB_PAIRING_CODE must be 6 digits",
    );
  });

  test("else the user is asked, once the link asks for it; a bad or missing answer fails", async () => {
    const asked: string[] = [];
    const answers = ["007007", "7007", undefined];
    const io = {
      ...silent,
      ask: async (q: string) => {
        asked.push(q);
        return answers.shift();
      },
    };
    const source = pairingCodeSource(undefined, { SETLAB_PAIRING_CODE: "" }, io);
    expect(typeof source).toBe("function");
    expect(asked).toEqual([]);
    const ask = source as () => Promise<string>;
    await expect(ask()).resolves.toBe("007007");
    expect(asked).toEqual([pairingPrompt]);
    await expect(ask()).rejects.toThrow("the pairing code must be 6 digits");
    await expect(ask()).rejects.toThrow(/no pairing code given/);
  });
});
