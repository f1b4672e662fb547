/** @setlab/wallet-card: the IC card applet and the phone process that hosts it. */
export * from "./card";
export { CardLinkClient } from "./phone/cardLinkClient";
export { type CardLinkServer, startCardLinkServer } from "./phone/cardLinkServer";
export * from "./phone/cardStore";
export { LAB_PIN, type PersonalizeOptions, personalize } from "./phone/personalize";
export { type ConfirmMode, confirmationPolicy, type ServeOptions, servePhone } from "./phone/serve";
