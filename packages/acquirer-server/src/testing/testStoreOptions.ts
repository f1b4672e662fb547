/**
 * Test-only: how a test opens a new gateway store. Every store of the test process takes one PAN
 * vault salt, so the vault's scrypt (about 0.2 s of CPU) runs once per test file instead of once
 * per store; a real gateway draws a salt for its database. The tests of the vault itself
 * (store/panAtRest.test.ts) open their stores without it.
 */
import { randomBytes } from "node:crypto";
import type { GatewayStoreOptions } from "../store/gatewayStore";

export const testStoreOptions: GatewayStoreOptions = { newVaultSalt: randomBytes(16) };
