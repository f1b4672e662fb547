/** The lab state's card-link pairing code: present and 6 digits, or a clear refusal. */
import { LabFailure, type LabState, pairingCodeOf } from "./labState";

const state = (pairingCode?: string): LabState => ({
  format: "setlab-lab/1",
  started: "2026-01-01T00:00:00Z",
  pki: "/pki",
  phoneData: "/phone",
  pin: "1234",
  ...(pairingCode === undefined ? {} : { pairingCode }),
  parties: {
    gateway: { url: "http://127.0.0.1:1", pid: 1, log: "g" },
    merchant: { url: "http://127.0.0.1:2", pid: 2, log: "m" },
    phone: { url: "tcp://127.0.0.1:3", pid: 3, log: "p" },
  },
});

describe("pairingCodeOf", () => {
  test("the recorded code", () => {
    expect(pairingCodeOf(state("042042"))).toBe("042042");
  });

  test("a lab.json without a code, or with a bad one, is refused in one line", () => {
    for (const bad of [undefined, "4242", "abcdef"]) {
      const e = (() => {
        try {
          pairingCodeOf(state(bad));
        } catch (x) {
          return x;
        }
      })();
      expect(e).toBeInstanceOf(LabFailure);
      expect((e as Error).message).toMatch(/no card-link pairing code/);
    }
  });
});
