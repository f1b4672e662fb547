/** Test-only helpers: never for production parties. */
export * from "./pki";
