import { nodeProvider } from "../crypto/provider";
import { createTestPki, type TestPki } from "../testing/pki";
import { flip, type MessageFixture, messageFixture, rejection } from "./fixture.test-helper";
import { signPRes, verifyPRes } from "./pRes";

const p = nodeProvider();

describe("PRes", () => {
  let pki: TestPki;
  let m: MessageFixture;
  let expected: { xid: Uint8Array; chall_C: Uint8Array; lid_C: Uint8Array; merchantCertificate: Uint8Array };
  let pRes: Uint8Array;

  beforeAll(async () => {
    pki = await createTestPki(p);
    m = await messageFixture(p, pki);
    expected = {
      xid: m.pResData.transIDs.xid,
      chall_C: m.pResData.chall_C,
      lid_C: m.pResData.transIDs.lid_C,
      merchantCertificate: pki.merchantSig.certificate,
    };
    pRes = await signPRes(p, m.signer("merchantSig"), m.pResData);
  });

  it("the cardholder verifies the merchant's PRes", async () => {
    await expect(verifyPRes(p, pRes, expected, m.trust)).resolves.toEqual(m.pResData);
    await expect(
      verifyPRes(p, pRes, { xid: expected.xid, chall_C: expected.chall_C }, m.trust),
    ).resolves.toEqual(m.pResData);
  });

  it("refuses another XID", async () => {
    const e = await rejection(verifyPRes(p, pRes, { ...expected, xid: new Uint8Array(20).fill(7) }, m.trust));
    expect(e.code).toBe("unknownXID");
  });

  it("refuses another Chall-C", async () => {
    const e = await rejection(verifyPRes(p, pRes, { ...expected, chall_C: new Uint8Array(20) }, m.trust));
    expect(e.code).toBe("challengeMismatch");
  });

  it("refuses another LID-C", async () => {
    const e = await rejection(verifyPRes(p, pRes, { ...expected, lid_C: Uint8Array.of(1) }, m.trust));
    expect(e.code).toBe("unknownLID");
  });

  it("refuses a PRes signed by another certificate than the PInitRes merchant's", async () => {
    const e = await rejection(
      verifyPRes(p, pRes, { ...expected, merchantCertificate: pki.merchantKex.certificate }, m.trust),
    );
    expect(e.code).toBe("thumbsMismatch");
  });

  it("refuses a PRes signed with a gateway certificate (role pgwy, not mer)", async () => {
    const byGateway = await signPRes(p, m.signer("gatewaySig"), m.pResData);
    const e = await rejection(
      verifyPRes(p, byGateway, { xid: expected.xid, chall_C: expected.chall_C }, m.trust),
    );
    expect(e.code).toBe("invalidCertificate");
  });

  it("refuses a tampered signature", async () => {
    expect((await rejection(verifyPRes(p, flip(pRes, -1), expected, m.trust))).code).toBe("signatureFailure");
  });
});
