/** @setlab/wallet-card: the IC card applet and the phone process that hosts it. */
export * from "./card";
export {
  type BondInfo,
  type BondStoreOptions,
  listBonds,
  PhoneBondStore,
  revokeBonds,
} from "./phone/bondStore";
export * from "./phone/cardStore";
export { LAB_PIN, type PersonalizeOptions, personalize } from "./phone/personalize";
export { type ConfirmMode, confirmationPolicy, type ServeOptions, servePhone } from "./phone/serve";
