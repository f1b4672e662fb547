/**
 * `@setlab/protocol/relay` is a subset of the root: every name it exports is the root's own object,
 * so a program may mix the two entry points.
 */
import * as root from "./index";
import * as relay from "./relay";

describe("@setlab/protocol/relay", () => {
  test("exports only what the root exports, the same objects", () => {
    const names = Object.keys(relay);
    expect(names.length).toBeGreaterThan(30);
    for (const name of names) {
      expect([name, name in root]).toEqual([name, true]);
      expect([
        name,
        (relay as Record<string, unknown>)[name] === (root as Record<string, unknown>)[name],
      ]).toEqual([name, true]);
    }
  });

  test("carries what the mediator uses", () => {
    for (const name of [
      "readInitiation",
      "encodeCardData",
      "decodeCardData",
      "INS",
      "SW",
      "readError",
      "schema",
    ])
      expect(relay).toHaveProperty(name);
  });
});
