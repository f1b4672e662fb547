/**
 * `@setlab/runtime/testing`: what other packages' tests take from the runtime's test kit.
 * Test-only; nothing a party runs imports it.
 */

export { type Closable, closedAtEnd } from "./closedAtEnd";
export { seedLabPki } from "./labPkiSeed";
