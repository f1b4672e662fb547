/**
 * Answer phase of a capture: the CapRes for the decisions on a CapReq, one CapResItem per CapItem
 * in its order, signed by the brand's gateway key, sealed to the merchant key-exchange certificate
 * the CapReq carried and wrapped with the request's RRPID (and its TransIDs for one item).
 */
import { type CryptoProvider, type schema, sealCapRes, wrapMessage } from "@setlab/protocol";
import type { CaptureDecision } from "./captureDecision";
import type { GatewayBrandKeys } from "./gatewayKeys";

export async function capResMessage(
  p: CryptoProvider,
  keys: GatewayBrandKeys,
  merchantKexCertificate: Uint8Array,
  request: schema.CapReqData,
  decisions: readonly CaptureDecision[],
): Promise<Uint8Array> {
  const data: schema.CapResData = {
    capRRTags: request.capRRTags,
    capResItemSeq: decisions.map((d) => ({
      transIDs: d.item.transIDs,
      authRRPID: d.item.authRRPID,
      capResPayload: { capCode: d.capCode, capAmt: d.capAmt, ...d.batch },
    })),
  };
  const capRes = await sealCapRes(p, keys.signer, merchantKexCertificate, data);
  const one = request.capItemSeq.length === 1 ? request.capItemSeq[0].transIDs : undefined;
  return wrapMessage(
    { type: "captureResponse", value: capRes },
    {
      rrpid: request.capRRTags.rrpid,
      ...(one ? { lid_C: one.lid_C, ...(one.lid_M ? { lid_M: one.lid_M } : {}), xid: one.xid } : {}),
    },
    { date: p.now() },
  );
}
