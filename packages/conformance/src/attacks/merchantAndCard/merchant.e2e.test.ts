import type { AttackOutcome } from "../attack";
import { runAttack } from "../runner";
import { useTestLab } from "../toolkit/labFixture";
import { oidAmplification } from "./amplification";
import { unsignedVisa, unsignedVisaFromWallet } from "./downgrade";
import { errorToMerchant } from "./errorLoop";
import {
  pInitReqRrpidReuse,
  preqDuplicate,
  preqOldChallM,
  preqRrpidReuse,
  preqXidReuseOtherAmount,
} from "./merchantReplay";
import {
  corruptedCaCertificate,
  digestAlgorithmsChanged,
  hodForOtherAmount,
  hPIDataChanged,
  odSaltChanged,
  preqByteFlips,
  staleHeaderDate,
  wrapperRrpidMismatch,
  wrapperXidMismatch,
} from "./merchantTamper";

/** The run seed of these tests: the byte-flip attacks sample the same offsets every time. */
const seed = 20261126;

jest.setTimeout(120_000);

const lab = useTestLab("attacks-merchant");

const expectRefused = (o: AttackOutcome, signals: string[], by: "merchant" | "card" = "merchant") => {
  expect(o.detail).not.toMatch(/SECRET IN LOGS|ACCEPTED/);
  expect(signals).toContain(o.signal);
  expect(o.refusedBy).toBe(by);
  expect(o.stateUnchanged).toBe(true);
  expect(o.refused).toBe(true);
};

describe("tampering at the merchant", () => {
  it("ODSalt changed in OIData", async () => {
    expectRefused(await runAttack(odSaltChanged, lab.target, seed), ["signatureFailure"]);
  });
  it("HOD of another amount in OIData", async () => {
    expectRefused(await runAttack(hodForOtherAmount, lab.target, seed), ["signatureFailure"]);
  });
  it("DD(PIData) changed in OIDualSigned", async () => {
    expectRefused(await runAttack(hPIDataChanged, lab.target, seed), ["signatureFailure"]);
  });
  it("header XID disagrees with the signed body", async () => {
    expectRefused(await runAttack(wrapperXidMismatch, lab.target, seed), [
      "wrapperMsgMismatch",
      "unknownXID",
    ]);
  });
  it("header RRPID disagrees with the signed body", async () => {
    expectRefused(await runAttack(wrapperRrpidMismatch, lab.target, seed), ["wrapperMsgMismatch"]);
  });
  it("a PReq whose header is dated 400 days back is refused", async () => {
    expectRefused(await runAttack(staleHeaderDate, lab.target, seed), ["messageTooOld"]);
  });
  it("after a genuine purchase, a corrupted CA certificate under the dual signature is still refused", async () => {
    expectRefused(await runAttack(corruptedCaCertificate, lab.target, seed), [
      "invalidCertificate",
      "signatureFailure",
      "decodingFailure",
    ]);
  });
  it("a flipped OID in the dual signature's SignedData.digestAlgorithms is refused", async () => {
    expectRefused(await runAttack(digestAlgorithmsChanged, lab.target, seed), ["signatureFailure"]);
  });
  it("one byte flipped at sampled offsets of header, body and signature: all refused, the genuine PReq still authorizes", async () => {
    const o = await runAttack(preqByteFlips, lab.target, seed);
    expect(o.detail).toMatch(/all refused/);
    expect(o.detail).toMatch(/genuine PReq afterwards: purchaseResponse, 1 approved/);
    expect(o.stateUnchanged).toBe(true);
    expect(o.refused).toBe(true);
  });
});

describe("downgrade and error loops at the merchant", () => {
  it("an unsigned PReq for Visa is refused: the card will not build it", async () => {
    expectRefused(await runAttack(unsignedVisa, lab.target, seed), ["6F00 signatureRequired"], "card");
  });
  it("an unsigned PReq for Visa built outside the card is refused by the merchant", async () => {
    expectRefused(await runAttack(unsignedVisaFromWallet, lab.target, seed), ["signatureRequired"]);
  });
  it("a SET Error posted to the merchant gets an empty answer and changes nothing", async () => {
    expectRefused(await runAttack(errorToMerchant, lab.target, seed), ["empty body"]);
  });
});

describe("amplification", () => {
  it("OID bombs at merchant and gateway are refused at once, and a genuine purchase completes beside them", async () => {
    const o = await runAttack(oidAmplification, lab.target, seed);
    expect(o.detail).toMatch(/genuine purchase completed/);
    expect(o.signal).toBe("Error decodingFailure");
    expect(o.refused).toBe(true);
  });
});

describe("replays at the merchant", () => {
  it("a duplicate PReq gets the stored PRes byte for byte and no second authorization", async () => {
    expectRefused(await runAttack(preqDuplicate, lab.target, seed), ["stored PRes (duplicate)"]);
  });
  it("a PReq with an earlier transaction's Chall-M is refused", async () => {
    expectRefused(await runAttack(preqOldChallM, lab.target, seed), ["challengeMismatch"]);
  });
  it("a PReq re-using a taken RRPID is refused", async () => {
    expectRefused(await runAttack(preqRrpidReuse, lab.target, seed), ["unknownRRPID"]);
  });
  it("a PInitReq re-using a taken RRPID for another order is refused", async () => {
    expectRefused(await runAttack(pInitReqRrpidReuse, lab.target, seed), ["unknownRRPID"]);
  });
  it("a second PReq under an authorized XID with another amount is refused", async () => {
    const o = await runAttack(preqXidReuseOtherAmount, lab.target, seed);
    expect(o.detail).toMatch(/1 approved authorization/);
    expect(o.refused).toBe(true);
    expect(o.stateUnchanged).toBe(true);
  });
});
