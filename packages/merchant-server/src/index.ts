/** @setlab/merchant-server: the merchant SDK core (embeddable), its SQLite store and its HTTP shell. */
export { type MerchantAdminPluginOptions, merchantAdminPlugin } from "./adminPlugin";
export { type AuthorizationResult, authReqDataFor } from "./core/authorization";
export {
  parseReversalBody,
  ReversalInputError,
  type ReversalInputErrorCode,
  type ReverseAuthorizationOptions,
} from "./core/authReversal";
export {
  BatchAdminError,
  BatchAdminInputError,
  type BatchAdminOptions,
  type BatchTotalView,
  type BatchView,
  type SignedAmount,
} from "./core/batchAdmin";
export {
  type CapRevOrCredInputCode,
  CapRevOrCredInputError,
  type CapRevOrCredOptions,
} from "./core/capRevOrCred";
export { CaptureInputError, type CaptureInputErrorCode, type CaptureOptions } from "./core/capture";
export {
  type CaptureManyItem,
  type CaptureManyOptions,
  type CaptureManyResult,
  maxCaptureManyItems,
} from "./core/captureMany";
export type { CallContext, SetOutcome } from "./core/context";
export { checkEndpointUrl, MerchantConfigurationError } from "./core/endpointUrl";
export type { GatewayCertificateReport } from "./core/gatewayCertificates";
export { type GatewayCallContext, type GatewayClient, GatewayUnreachableError } from "./core/gatewayClient";
export { InputError } from "./core/inputError";
export type { RecoveredRequest } from "./core/lifecycleRecovery";
export {
  type CreateOrderOptions,
  Merchant,
  type MerchantOptions,
  type OrderStatus,
  type OrderView,
  type ResumedAuthorization,
} from "./core/merchant";
export type { BrandConfig, MerchantConfig } from "./core/merchantConfig";
export {
  maxDescriptionBytes,
  maxMetadataBytes,
  maxReferenceLength,
  type OrderInput,
  OrderInputError,
  type OrderInputErrorCode,
  parseNewOrder,
} from "./core/newOrder";
export type {
  Authorization,
  AuthReversal,
  CapRevOrCred,
  HistoryEntry,
  NewOrder,
  Order,
  Party,
  PurchaseContext,
  StoredMessage,
  SubsequentAuthorization,
} from "./core/order";
export type { AuthorizationInquiry, OrderInquiry } from "./core/orderInquiry";
export { isFinal, type OrderState, OrderStateError, orderStates } from "./core/orderState";
export { type OrderTerms, OrderTermsError } from "./core/orderTerms";
export {
  type SubsequentAuthorizationInput,
  SubsequentAuthorizationInputError,
} from "./core/subsequentAuthorization";
export { type CreateMerchantOptions, createMerchant } from "./createMerchant";
export {
  type OrderEvent,
  type OrderEventAmount,
  type OrderEventListener,
  type OrderEventOrder,
  type OrderEventType,
  orderEventTypes,
} from "./events/orderEvent";
export { type DeliveryReport, retryDelayMs, type WebhookOptions } from "./events/webhookDelivery";
export {
  signWebhook,
  type VerifyWebhookOptions,
  verifyWebhook,
  WebhookVerificationError,
  type WebhookVerificationErrorCode,
  webhookSignatureHeader,
} from "./events/webhookSignature";
export { HttpGatewayClient, type HttpGatewayOptions } from "./httpGatewayClient";
export { type LabMerchantOptions, labMerchantConfig } from "./labMerchantConfig";
export { type MerchantPluginOptions, merchantPlugin } from "./plugin";
export {
  buildMerchantAdminServer,
  buildMerchantServer,
  type MerchantAdminServerOptions,
  type MerchantServerOptions,
} from "./server";
export type { KeyedGatewayRequest, KeyedGatewayRequestKind } from "./store/keyedGatewayRequests";
export {
  ConcurrentChangeError,
  type IdempotencyKind,
  type IdempotencyRecord,
  type MerchantRepository,
  type OrderChange,
  type PendingWebhook,
  type WebhookAttempt,
} from "./store/repository";
export { SqliteRepository } from "./store/sqliteRepository";
export { type TestCard, testCards } from "./testCards";
