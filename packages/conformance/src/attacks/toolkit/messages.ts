/**
 * Reading and re-writing the purchase messages the PC sees in clear: PInitReq, PInitRes (signed,
 * readable by anyone), PReq's OIData. A re-written PReq keeps the original header unless told.
 */
import {
  decodeDer,
  encodeDer,
  parseSetCertificate,
  schema,
  verifyS,
  type WrapperIds,
  wrapMessage,
} from "@setlab/protocol";
import { adversaryProvider } from "./stolenKeys";

export function readPInitReq(der: Uint8Array): schema.PInitReq {
  const w = schema.decodeMessage(der);
  if (w.message.type !== "purchaseInitRequest") throw new Error(`not a PInitReq: ${w.message.type}`);
  return w.message.value;
}

/** PInitResData of a PInitRes (its signature is checked, as any reader can). */
export async function readPInitRes(der: Uint8Array): Promise<schema.PInitResData> {
  const w = schema.decodeMessage(der);
  if (w.message.type !== "purchaseInitResponse") throw new Error(`not a PInitRes: ${w.message.type}`);
  const verified = await verifyS(adversaryProvider, w.message.value, {
    contentType: schema.ContentType.PInitResData,
  });
  return decodeDer(schema.PInitResData, verified.content, "PInitResData");
}

export function readPReq(der: Uint8Array): { wrapper: schema.MessageWrapper; pReq: schema.PReq } {
  const wrapper = schema.decodeMessage(der);
  if (wrapper.message.type !== "purchaseRequest") throw new Error(`not a PReq: ${wrapper.message.type}`);
  return { wrapper, pReq: wrapper.message.value };
}

export const oiDataOf = (pReq: schema.PReq): schema.OIData =>
  pReq.type === "pReqDualSigned" ? pReq.value.oiDualSigned.oiData : pReq.value.oiUnsigned.oiData;

/** The PReq with `change` applied to its dual-signed parts, under the original header. */
export function rewritePReq(
  der: Uint8Array,
  change: (value: schema.PReqDualSigned) => schema.PReqDualSigned,
): Uint8Array {
  const { wrapper, pReq } = readPReq(der);
  if (pReq.type !== "pReqDualSigned") throw new Error("not a dual-signed PReq");
  return schema.encodeMessage({
    ...wrapper,
    message: { type: "purchaseRequest", value: { type: "pReqDualSigned", value: change(pReq.value) } },
  });
}

/** The same message under a header with other ids (the body untouched). */
export function rewrapHeader(der: Uint8Array, ids: (old: WrapperIds) => WrapperIds): Uint8Array {
  const wrapper = schema.decodeMessage(der);
  const h = wrapper.messageHeader;
  const old: WrapperIds = {
    rrpid: h.rrpid,
    lid_C: h.messageIDs?.lid_C,
    lid_M: h.messageIDs?.lid_M,
    xid: h.messageIDs?.xid,
  };
  return wrapMessage(wrapper.message, ids(old), { date: h.date, swIdent: h.swIdent });
}

/** A copy of `b` with its last byte changed. */
export function altered(b: Uint8Array): Uint8Array {
  const c = new Uint8Array(b);
  c[c.length - 1] ^= 0x5a;
  return c;
}

export { encodeDer };

/** The merID in a merchant signature certificate. */
export function merIDOf(certificate: Uint8Array): string {
  const merID = parseSetCertificate(certificate).merchantData?.merID;
  if (!merID) throw new Error("the certificate carries no merchantData");
  return merID;
}
