/**
 * `@setlab/runtime/testing`: what other packages' tests take from the runtime's test kit.
 * Test-only; nothing a party runs imports it.
 */
export { caCliPath, initLabPki, seedLabPki } from "./labPkiSeed";
