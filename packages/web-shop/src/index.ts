/** @setlab/web-shop: a reference shop that embeds the merchant SDK and starts SET purchases from its checkout page. */
export { type BuyerSession, BuyerSessions, maxQuantity } from "./buyerSessions";
export { amountOf, type Catalogue, checkCatalogue, type Product, stickerCatalogue } from "./catalogue";
export { openShopMerchant, type ShopMerchant, type ShopMerchantOptions } from "./labShopMerchant";
export { buildWebShop, type WebShopOptions } from "./webShop";
export { type WebShopPluginOptions, webShopPlugin } from "./webShopPlugin";
