/**
 * What the purchase's first AuthReq asks for: the whole purchase amount, or for a split shipment
 * (`NewOrder.firstShipmentAmount`) only the first part, with SubsequentAuthInd set so the gateway
 * gives the AuthToken the later parts are authorized with.
 */
import type { schema } from "@setlab/protocol";
import type { NewOrder } from "./order";

export const firstAuthReqAmt = (order: NewOrder): schema.CurrencyAmount =>
  order.firstShipmentAmount !== undefined
    ? { ...order.purchAmt, amount: order.firstShipmentAmount }
    : order.purchAmt;

export const isSplitShipment = (order: NewOrder): boolean => order.firstShipmentAmount !== undefined;
