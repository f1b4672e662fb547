/**
 * Answer phase of a capture reversal, credit or credit reversal: CapRevRes, CredRes or CredRevRes
 * for the decisions, one item per request item in its order (a booked item with its BatchID and
 * BatchSequenceNum), signed by the brand's gateway key,
 * sealed to the merchant key-exchange certificate the request carried and wrapped with the
 * request's RRPID (and its TransIDs for one item).
 */
import {
  type CapRevOrCredKind,
  type CryptoProvider,
  capRevOrCredKinds,
  type schema,
  sealCapRevOrCredRes,
  wrapMessage,
} from "@setlab/protocol";
import type { CapRevOrCredDecision } from "./capRevOrCredDecision";
import type { GatewayBrandKeys } from "./gatewayKeys";

export async function capRevOrCredResMessage(
  p: CryptoProvider,
  kind: CapRevOrCredKind,
  keys: GatewayBrandKeys,
  merchantKexCertificate: Uint8Array,
  request: schema.CapRevOrCredReqData,
  decisions: readonly CapRevOrCredDecision[],
): Promise<Uint8Array> {
  const data: schema.CapRevOrCredResData = {
    capRevOrCredRRTags: request.capRevOrCredRRTags,
    capRevOrCredResItemSeq: decisions.map((d) => ({
      transIDs: d.item.transIDs,
      authRRPID: d.item.authRRPID,
      capRevOrCredResPayload: {
        capRevOrCredCode: d.code,
        capRevOrCredActualAmt: d.actual,
        ...(d.batch ? { batchID: d.batch.batchID, batchSequenceNum: d.batch.batchSequenceNum } : {}),
      },
    })),
  };
  const response = await sealCapRevOrCredRes(p, kind, keys.signer, merchantKexCertificate, data);
  const items = request.capRevOrCredReqItemSeq;
  const one = items.length === 1 ? items[0].transIDs : undefined;
  return wrapMessage(
    { type: capRevOrCredKinds[kind].responseType, value: response } as Parameters<typeof wrapMessage>[0],
    {
      rrpid: request.capRevOrCredRRTags.rrpid,
      ...(one ? { lid_C: one.lid_C, ...(one.lid_M ? { lid_M: one.lid_M } : {}), xid: one.xid } : {}),
    },
    { date: p.now() },
  );
}
