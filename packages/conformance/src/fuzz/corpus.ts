/**
 * The valid corpus the mutators start from: every message of a real purchase through the
 * in-process parties, the lab PKI's certificates, CRLs and BCIs, an Error message, the card
 * commands of the purchase, and the initiation object.
 */
import { errorMessage, SetError } from "@setlab/protocol";
import type { PurchaseCapture, World } from "./world";

export interface Corpus {
  readonly capture: PurchaseCapture;
  /** Every MessageWrapper: PInitReq, PInitRes, PReq, AuthReq, AuthRes, PRes, an Error. */
  readonly messages: Uint8Array[];
  readonly certificates: Uint8Array[];
  readonly crls: Uint8Array[];
  readonly bcis: Uint8Array[];
  readonly initiation: string;
}

export async function buildCorpus(world: World): Promise<Corpus> {
  const capture = await world.purchase();
  const pki = world.pki;
  const error = await errorMessage(
    world.p,
    new SetError("decodingFailure", "fuzz corpus error"),
    capture.pReq,
  );
  const initiation = (
    await world.merchant.request({ method: "GET", url: `/orders/${capture.orderId}/initiation` })
  ).body.toString();
  return {
    capture,
    messages: [
      capture.pInitReq,
      capture.pInitRes,
      capture.pReq,
      capture.authReq,
      capture.authRes,
      capture.pRes,
      error,
    ],
    certificates: pki.entries.filter((e) => !e.id.startsWith("attack/")).map((e) => pki.certificate(e.id)),
    crls: pki.crls(),
    bcis: ["Visa", "MasterCard"].map((b) => pki.bci(b)).filter((b): b is Uint8Array => b !== undefined),
    initiation,
  };
}
