import { keyPassphrase, labPassphrase, passphraseVariable } from "./passphrase";

describe("keyPassphrase", () => {
  it("reads SETLAB_PASSPHRASE", () => {
    expect(passphraseVariable).toBe("SETLAB_PASSPHRASE");
    expect(keyPassphrase({ SETLAB_PASSPHRASE: "not the default" })).toBe("not the default");
  });

  it("falls back to the lab default when unset or empty", () => {
    expect(keyPassphrase({})).toBe(labPassphrase);
    expect(keyPassphrase({ SETLAB_PASSPHRASE: "" })).toBe(labPassphrase);
  });

  it("does not read the CA's former variable", () => {
    expect(keyPassphrase({ SET_CA_PASSPHRASE: "old" })).toBe(labPassphrase);
  });
});
