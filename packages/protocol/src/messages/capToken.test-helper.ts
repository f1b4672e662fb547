/**
 * The builders the capture-family message tests share (capture.test.ts, capRevOrCred.test.ts): the
 * merchant, amounts, ids, the RRTags of a request or its answer, and an approved authorization's
 * CapToken.
 */
import type { CryptoProvider } from "../crypto/provider";
import type { CurrencyAmount, TransIDs } from "../schema/common";
import type { CapTokenOpaque, RRTags } from "../schema/payment";
import type { TestPki } from "../testing/pki";
import { type CapTokenKeys, sealCapToken } from "./capToken";
import { type MessageFixture, rejection } from "./fixture.test-helper";

export const merID = "SETLAB-MER-0001";
export const usd = (amount: number, amtExp10 = -2): CurrencyAmount => ({ currency: 840, amount, amtExp10 });
export const id = (n: number) => new Uint8Array(20).fill(n);
export const code = async (promise: Promise<unknown>) => (await rejection(promise)).code;

/** The RRTags of a request (and of its answer): this merchant's unless `merchantID` says otherwise. */
export const rrTags = (rrpid: Uint8Array, currentDate: Date, merchantID = merID): RRTags => ({
  rrpid,
  merTermIDs: { merchantID },
  currentDate,
});

/**
 * Authorization `n`, approved for `authAmt`: its CapToken as the AuthRes carried it, AuthRRPID
 * 0x40 + n and XID n (the purchase's other TransIDs).
 */
export async function authorization(
  p: CryptoProvider,
  keys: CapTokenKeys,
  purchase: TransIDs,
  n: number,
  authAmt = usd(1000),
  opaque: Partial<CapTokenOpaque> = {},
) {
  const capToken = await sealCapToken(
    p,
    keys,
    { authRRPID: id(0x40 + n), authAmt },
    { xid: id(n), merchantID: merID, authRecordID: `auth-${n}`, ...opaque },
  );
  const transIDs: TransIDs = { ...purchase, xid: id(n) };
  return { n, capToken, authRRPID: id(0x40 + n), transIDs };
}

/** The merchant receiving a gateway's answer: its key-exchange key and its trust. */
export const merchantReceiver = (m: MessageFixture) => ({
  decrypter: m.decrypter("merchantKex"),
  trust: m.trust,
});

/** An answer expected from the brand's gateway, the one the request was sealed to. */
export const fromGateway = (pki: TestPki) => ({ brand: "Visa", gateway: pki.gatewayKex.certificate });
