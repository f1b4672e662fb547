import type { AttackOutcome } from "../attack";
import { startTestLab, type TestLab } from "../toolkit/labFixture";
import { unsignedVisa } from "./downgrade";
import { errorToMerchant } from "./errorLoop";
import {
  pInitReqRrpidReuse,
  preqDuplicate,
  preqOldChallM,
  preqRrpidReuse,
  preqXidReuseOtherAmount,
} from "./merchantReplay";
import {
  byteFlips,
  corruptedCaCertificate,
  digestAlgorithmsChanged,
  hodForOtherAmount,
  hPIDataChanged,
  odSaltChanged,
  staleHeaderDate,
  wrapperRrpidMismatch,
  wrapperXidMismatch,
} from "./merchantTamper";

jest.setTimeout(120_000);

let lab: TestLab;
beforeAll(async () => {
  lab = await startTestLab("attacks-merchant");
});
afterAll(async () => {
  await lab?.stop();
});

const expectRefused = (o: AttackOutcome, signals: string[]) => {
  expect(o.detail).not.toMatch(/SECRET IN LOGS|ACCEPTED/);
  expect(signals).toContain(o.signal);
  expect(o.refusedBy).toBe("merchant");
  expect(o.stateUnchanged).toBe(true);
  expect(o.refused).toBe(true);
};

describe("tampering at the merchant", () => {
  it("ODSalt changed in OIData", async () => {
    expectRefused(await odSaltChanged.run(lab.target), ["signatureFailure"]);
  });
  it("HOD of another amount in OIData", async () => {
    expectRefused(await hodForOtherAmount.run(lab.target), ["signatureFailure"]);
  });
  it("DD(PIData) changed in OIDualSigned", async () => {
    expectRefused(await hPIDataChanged.run(lab.target), ["signatureFailure"]);
  });
  it("header XID disagrees with the signed body", async () => {
    expectRefused(await wrapperXidMismatch.run(lab.target), ["wrapperMsgMismatch", "unknownXID"]);
  });
  it("header RRPID disagrees with the signed body", async () => {
    expectRefused(await wrapperRrpidMismatch.run(lab.target), ["wrapperMsgMismatch"]);
  });
  it("a PReq whose header is dated 400 days back is refused", async () => {
    expectRefused(await staleHeaderDate.run(lab.target), ["messageTooOld"]);
  });
  it("after a genuine purchase, a corrupted CA certificate under the dual signature is still refused", async () => {
    expectRefused(await corruptedCaCertificate.run(lab.target), [
      "invalidCertificate",
      "signatureFailure",
      "decodingFailure",
    ]);
  });
  it("a flipped OID in the dual signature's SignedData.digestAlgorithms is refused", async () => {
    expectRefused(await digestAlgorithmsChanged.run(lab.target), ["signatureFailure"]);
  });
  it("one byte flipped at sampled offsets of header, body and signature: all refused, the genuine PReq still authorizes", async () => {
    const o = await byteFlips(20261126).run(lab.target);
    expect(o.detail).toMatch(/all refused/);
    expect(o.detail).toMatch(/genuine PReq afterwards: purchaseResponse, 1 approved/);
    expect(o.stateUnchanged).toBe(true);
    expect(o.refused).toBe(true);
  });
});

describe("downgrade and error loops at the merchant", () => {
  it("an unsigned PReq for Visa is refused", async () => {
    expectRefused(await unsignedVisa.run(lab.target), ["signatureRequired"]);
  });
  it("a SET Error posted to the merchant gets an empty answer and changes nothing", async () => {
    expectRefused(await errorToMerchant.run(lab.target), ["empty body"]);
  });
});

describe("replays at the merchant", () => {
  it("a duplicate PReq gets the stored PRes byte for byte and no second authorization", async () => {
    expectRefused(await preqDuplicate.run(lab.target), ["stored PRes (duplicate)"]);
  });
  it("a PReq with an earlier transaction's Chall-M is refused", async () => {
    expectRefused(await preqOldChallM.run(lab.target), ["challengeMismatch"]);
  });
  it("a PReq re-using a taken RRPID is refused", async () => {
    expectRefused(await preqRrpidReuse.run(lab.target), ["unknownRRPID"]);
  });
  it("a PInitReq re-using a taken RRPID for another order is refused", async () => {
    expectRefused(await pInitReqRrpidReuse.run(lab.target), ["unknownRRPID"]);
  });
  it("a second PReq under an authorized XID with another amount is refused", async () => {
    const o = await preqXidReuseOtherAmount.run(lab.target);
    expect(o.detail).toMatch(/1 approved authorization/);
    expect(o.refused).toBe(true);
    expect(o.stateUnchanged).toBe(true);
  });
});
