/**
 * Asking the gateway (patent steps S43-S52 as the merchant sees them): the stored AuthReq sent, the
 * answer read, and whether the outcome is in doubt (no usable answer, yet the gateway may have
 * decided).
 */
import type { schema } from "@setlab/protocol";
import { type AuthorizationResult, readAuthorization } from "./authorization";
import type { CallContext, MerchantContext } from "./context";
import { firstAuthReqAmt } from "./firstAuthorization";
import { GatewayUnreachableError } from "./gatewayClient";
import type { BrandConfig } from "./merchantConfig";
import type { Order } from "./order";

/** What asking the gateway gave: its answer, what it means, and whether the outcome is in doubt. */
export interface Reading {
  readonly answer?: Uint8Array;
  readonly result: AuthorizationResult;
  /**
   * No usable answer came, yet the gateway may have taken the AuthReq (a timeout, a dropped
   * connection, a 5xx, an answer damaged on the wire): it may hold an authorization the merchant
   * does not know. The order stays `authorizing` and the stored AuthReq is sent again later.
   */
  readonly inDoubt: boolean;
}

export interface Asked {
  readonly brand: BrandConfig;
  readonly transIDs: schema.TransIDs;
  readonly authReq: Uint8Array;
  readonly authRRPID: Uint8Array;
  /** DER (hex) of the AuthReqData, kept with the authorization for a later AuthRevReq. */
  readonly authReqData?: string;
}

export async function askGateway(
  ctx: MerchantContext,
  order: Order,
  asked: Asked,
  call: CallContext,
): Promise<Reading> {
  const { brand, transIDs } = asked;
  const expected = { authRRPID: asked.authRRPID, transIDs, authReqAmt: firstAuthReqAmt(order) };
  // The client asks whether an answer is usable; one damaged on the wire is fetched again.
  let read: { answer: Uint8Array; result: AuthorizationResult } | undefined;
  const accept = async (a: Uint8Array): Promise<boolean> => {
    const r = await readAuthorization(ctx, brand, a, expected);
    read = { answer: a, result: r };
    return !(r.kind === "failed" && r.onWire);
  };
  try {
    const answer = await ctx.gateway.send(brand.gateway.id, asked.authReq, { ...call, accept });
    const result =
      read?.answer === answer ? read.result : await readAuthorization(ctx, brand, answer, expected);
    return { answer, result, inDoubt: result.kind === "failed" && result.onWire };
  } catch (e) {
    const unreachable = e instanceof GatewayUnreachableError;
    const why = unreachable ? "unreachable" : "call failed";
    // A client fault is in doubt too: nothing says the AuthReq did not leave. Refused before it
    // was sent (not in doubt), the gateway has nothing.
    const inDoubt = !unreachable || e.inDoubt;
    return {
      result: {
        kind: "failed",
        reason: `gateway ${brand.gateway.id} ${why}: ${(e as Error).message}`,
        onWire: false,
        authorizedNothing: !inDoubt,
      },
      inDoubt,
    };
  }
}
