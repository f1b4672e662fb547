/** SET messages as both ends build and check them (docs/purchase-flow.md). */
export {};
