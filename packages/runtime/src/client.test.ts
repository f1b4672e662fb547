/**
 * `@setlab/runtime/client` is a subset of the root: every name it exports is the root's own object.
 */

import * as client from "./client";
import * as root from "./index";

test("@setlab/runtime/client exports only what the root exports, the same objects", () => {
  const names = Object.keys(client);
  expect(names.length).toBeGreaterThan(15);
  for (const name of names)
    expect([
      name,
      (client as Record<string, unknown>)[name] === (root as Record<string, unknown>)[name],
    ]).toEqual([name, true]);
});
