/** @setlab/web-shop: a reference shop that embeds the merchant SDK and starts SET purchases from its checkout page. */
export * from "./buyerSessions";
export * from "./catalogue";
export * from "./labShopMerchant";
export * from "./webShop";
export * from "./webShopPlugin";
