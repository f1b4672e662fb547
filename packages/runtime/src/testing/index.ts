/**
 * `@setlab/runtime/testing`: what other packages' tests take from the runtime's test kit.
 * Test-only; nothing a party runs imports it.
 */
export { seedLabPki } from "./labPkiSeed";
