/** TransIDs comparison with the precise failure SET names for each field. */
import { encodeDer } from "../asn1/codec";
import { bytesEqual } from "../asn1/tlv";
import { TransIDs } from "../schema/common";
import { PurchaseCheckError } from "./purchaseCheck";

const sameOptional = (a?: Uint8Array, b?: Uint8Array) =>
  a === undefined ? b === undefined : b !== undefined && bytesEqual(a, b);

export function checkTransIDs(got: TransIDs, expected: TransIDs, where: string): void {
  if (!bytesEqual(got.xid, expected.xid))
    throw new PurchaseCheckError("xidMismatch", `${where}: XID is not the one issued`);
  if (!bytesEqual(got.lid_C, expected.lid_C) || !sameOptional(got.lid_M, expected.lid_M))
    throw new PurchaseCheckError("lidMismatch", `${where}: LID-C or LID-M is not the one issued`);
  if (!bytesEqual(encodeDer(TransIDs, got), encodeDer(TransIDs, expected)))
    throw new PurchaseCheckError("transIDsMismatch", `${where}: PReqDate, language or PaySysID differ`);
}
