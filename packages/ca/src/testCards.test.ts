import { attackTestCards, luhnValid, testCards } from "./testCards";

describe("test cards", () => {
  it("every PAN is Luhn-valid, unique, and under its brand's lab BIN", () => {
    const all = [...testCards, ...attackTestCards];
    for (const c of all) {
      expect(luhnValid(c.pan)).toBe(true);
      expect(c.pan.slice(0, 6)).toBe(c.brand === "Visa" ? "411111" : "555555");
      expect(c.expiry).toMatch(/^20\d{2}(0[1-9]|1[0-2])$/);
    }
    expect(new Set(all.map((c) => c.pan)).size).toBe(all.length);
    expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
  });

  it("the Luhn check refuses a changed digit, a transposition and non-digits", () => {
    expect(luhnValid("4111110000000005")).toBe(true);
    expect(luhnValid("4111110000000006")).toBe(false);
    expect(luhnValid("4111110000000050")).toBe(false);
    expect(luhnValid("41111100000000x5")).toBe(false);
    expect(luhnValid("41111")).toBe(false);
  });
});
