/**
 * A signed Error counts as the peer's only when its signer is: the signature verifies, and the
 * certificate chains to the receiver's root, holds a role the receiver expects, certifies a
 * signature key and is not revoked. Otherwise the code is still read, as from an unsigned Error,
 * and `signerRefused` says which check the signer failed. Each test breaks one of these.
 */
import { prepareRevocation } from "../cert/revocation";
import { parseSetCertificate } from "../cert/setCertificate";
import type { Trust } from "../cert/trust";
import { nodeProvider } from "../crypto/provider";
import { SetError } from "../errors";
import { createTestPki, type PartyName, type TestPki } from "../testing/pki";
import { revocationFixture } from "../testing/revocation";
import { errorMessage, RemoteSetError } from "./errorMessage";
import { type MessageFixture, messageFixture, rejection } from "./fixture.test-helper";
import { signPRes } from "./pRes";
import { receiveError } from "./receiveError";
import { receivePRes } from "./receivePRes";
import { wrapMessage } from "./wrapper";

const p = nodeProvider();
let pki: TestPki;
let m: MessageFixture;
/** Another SET hierarchy, with its own root: its merchant does not chain to ours. */
let stranger: TestPki;

beforeAll(async () => {
  pki = await createTestPki(p);
  m = await messageFixture(p, pki);
  stranger = await createTestPki(p);
});

const failure = new SetError("unknownXID", "no such XID");
const signedBy = (party: PartyName, from: TestPki = pki) =>
  errorMessage(p, failure, Uint8Array.of(1), {
    signer: {
      certificate: from[party].certificate,
      privateKey: from[party].privateKey,
      chain: from.intermediatesOf(party),
    },
  });
const merchant = (trust: Trust = m.trust) => ({ trust, roles: ["mer"] as ["mer"] });

describe("receiveError: the signer of a signed Error", () => {
  it("a merchant Error signed under the receiver's root, in the merchant role: signed", async () => {
    const r = await receiveError(p, await signedBy("merchantSig"), merchant());
    expect(r).toMatchObject({ code: "unknownXID", signed: true });
    expect(r.signerRefused).toBeUndefined();
  });

  it("signed by a certificate that does not chain to the receiver's root: read, but not signed", async () => {
    const r = await receiveError(p, await signedBy("merchantSig", stranger), merchant());
    expect(r).toMatchObject({ code: "unknownXID", signed: false, signerRefused: "invalidCertificate" });
  });

  it("signed by a certificate of a role the receiver does not expect (a gateway where a merchant answers)", async () => {
    const r = await receiveError(p, await signedBy("gatewaySig"), merchant());
    expect(r).toMatchObject({ code: "unknownXID", signed: false, signerRefused: "invalidCertificate" });
    // The same Error read by a party that expects a gateway is signed.
    const gateway = await receiveError(p, await signedBy("gatewaySig"), { trust: m.trust, roles: ["pgwy"] });
    expect(gateway.signed).toBe(true);
  });

  it("signed by a revoked certificate, under a receiver that holds the brand's revocation material", async () => {
    const withCrls = async (revoked: PartyName[]): Promise<Trust> => {
      const r = await revocationFixture(p, pki, { revoked });
      const prepared = await prepareRevocation(
        p,
        { bci: r.bci, brandCa: parseSetCertificate(pki.brandCa.certificate), crls: r.crls },
        m.trust.at,
      );
      return { ...m.trust, revocation: { Visa: prepared } };
    };
    const error = await signedBy("merchantSig");
    expect((await receiveError(p, error, merchant(await withCrls([])))).signed).toBe(true);
    const r = await receiveError(p, error, merchant(await withCrls(["merchantSig"])));
    expect(r).toMatchObject({ code: "unknownXID", signed: false, signerRefused: "revokedCertificate" });
  });

  it("signed by a merchant of another brand than the receiver names", async () => {
    const r = await receiveError(p, await signedBy("merchantSig"), { ...merchant(), brand: "MasterCard" });
    expect(r).toMatchObject({ signed: false, signerRefused: "invalidCertificate" });
  });

  it("an Error in place of PRes from a merchant that does not chain is a RemoteSetError, not signed", async () => {
    const pResIds = {
      rrpid: m.pResData.rrpid,
      lid_C: m.pResData.transIDs.lid_C,
      xid: m.pResData.transIDs.xid,
    };
    const expected = {
      rrpid: m.pResData.rrpid,
      xid: m.pResData.transIDs.xid,
      chall_C: m.pResData.chall_C,
      brandID: "Visa",
    };
    // The genuine PRes passes the same receiver: only the Error's signer is refused.
    const pRes = await signPRes(p, m.signer("merchantSig"), m.pResData);
    const genuine = wrapMessage({ type: "purchaseResponse", value: pRes }, pResIds, { date: new Date() });
    await expect(receivePRes(p, genuine, expected, { trust: m.trust })).resolves.toBeDefined();
    const e = await rejection(
      receivePRes(p, await signedBy("merchantSig", stranger), expected, { trust: m.trust }),
    );
    expect(e).toBeInstanceOf(RemoteSetError);
    expect(e.code).toBe("unknownXID");
    expect((e as RemoteSetError).signed).toBe(false);
    const ours = await rejection(receivePRes(p, await signedBy("merchantSig"), expected, { trust: m.trust }));
    expect((ours as RemoteSetError).signed).toBe(true);
  });
});
