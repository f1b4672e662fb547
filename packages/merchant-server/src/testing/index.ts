/**
 * `@setlab/merchant-server/testing`: what another package's tests take from the merchant's test
 * kit (the rest of src/testing runs under jest only and is not built).
 */
export { testMerchantConfig } from "./testMerchantConfig";
