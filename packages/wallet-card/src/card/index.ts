/** The IC card: applet, card data and the cardholder's confirmation (pure core). */
export * from "./applet";
export * from "./cardData";
export * from "./commandInput";
export * from "./confirmation";
export * from "./gatewayPins";
export * from "./pin";
export * from "./purchaseRequest";
export * from "./transaction";
