/**
 * The merchant's revocation material from a `set-ca init` PKI: in its Trust (the cardholder's
 * certificate in PReq is checked against the brand's BCI and CRLs) and in every PInitRes (the card
 * checks the merchant's and the gateway's certificates with them). In process for the config, and
 * through the real `set-merchant serve` for the messages.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { nodeProvider, schema, verifyPInitRes } from "@setlab/protocol";
import { LabPki, LabRevocationSource, SET_PAYMENT, type StartedParty } from "@setlab/runtime";
import { labMerchantConfig } from "./labMerchantConfig";
import { errorCodeOf } from "./testing/errorCode";
import { type LabMerchant, labCardKit, startLabMerchant } from "./testing/labMerchant";
import { type CardKit, pInitReq, pReq } from "./testing/testCard";

const p = nodeProvider();
let lab: LabMerchant;
let pki: LabPki;
let merchant: StartedParty;

beforeAll(async () => {
  lab = await startLabMerchant("merchant-revocation-");
  pki = lab.pki;
  merchant = lab.party;
}, 120_000);

afterAll(() => lab?.close());

const kitOf = (certId: string, card: { pan: string; expiry: string }) => labCardKit(p, pki, certId, card);

const postSet = async (body: Uint8Array) => {
  const res = await fetch(`${merchant.url}/set`, {
    method: "POST",
    headers: { "content-type": SET_PAYMENT },
    body: new Uint8Array(body),
  });
  expect(res.status).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
};

async function newOrder(description: string) {
  const res = await fetch(`${merchant.url}/orders`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ description, amount: 12800, currency: 392 }),
  });
  return (await res.json()) as { id: number; lidM: string };
}

describe("labMerchantConfig: revocation material", () => {
  it("puts each brand's prepared BCI and CRLs in the Trust, and the BCI with the path CRLs on the gateway for PInitRes", async () => {
    const config = await labMerchantConfig(p, pki, { brands: ["Visa", "MasterCard"] });
    const trust = config.trust as { revocation?: Record<string, unknown> };
    expect(Object.keys(trust.revocation ?? {}).sort()).toEqual(["MasterCard", "Visa"]);
    for (const brand of config.brands) {
      const carried = (brand.gateway as { revocation?: { bci: Uint8Array; crls: Uint8Array[] } }).revocation;
      expect(carried?.bci).toEqual(pki.bci(brand.brandID));
      // The root's, the brand CA's, the merchant CA's and the payment gateway CA's; not the cardholder CA's.
      expect(carried?.crls).toHaveLength(4);
    }
  });
});

describe("labMerchantConfig over a revocation source that follows the directory", () => {
  it("carries the new BCI in PInitRes and checks with it once the source has read it; the config is not rebuilt", async () => {
    const source = await LabRevocationSource.open(pki.dir, p);
    const config = await labMerchantConfig(p, pki, { brands: ["Visa"], revocation: source });
    const visa = config.brands[0].gateway as { revocation?: { bci: Uint8Array; crls: Uint8Array[] } };
    const before = { carried: visa.revocation?.bci, trust: { ...config.trust } as { revocation?: object } };
    expect(before.carried).toEqual(pki.bci("Visa"));
    execFileSync(process.execPath, [
      path.resolve(__dirname, "../../ca/dist/cli.js"),
      "bci",
      "--dir",
      pki.dir,
      "--brand",
      "Visa",
    ]);
    const published = LabPki.open(pki.dir).bci("Visa");
    expect(published).not.toEqual(before.carried);
    // Not before the source has read the directory.
    expect(visa.revocation?.bci).toEqual(before.carried);
    expect(await source.refresh()).toBe(true);
    expect(visa.revocation?.bci).toEqual(published);
    expect(visa.revocation?.crls).toHaveLength(4);
    const after = { ...config.trust } as { revocation?: Record<string, unknown> };
    expect(after.revocation?.Visa).toBe(source.current().Visa.material);
    expect(after.revocation).not.toBe(before.trust.revocation);
  });
});

describe("set-merchant serve with the brand's revocation material", () => {
  it("carries the BCI and CRLs in PInitRes: a card requiring revocation status accepts it", async () => {
    const card = pki.cards()["visa-approve"];
    const order = await newOrder("1 x mug");
    const session = pInitReq(p, order.lidM, { bin: card.pan.slice(0, 6) });
    const answer = schema.decodeMessage(await postSet(session.pInitReq));
    if (answer.message.type !== "purchaseInitResponse") throw new Error(`got ${answer.message.type}`);
    const verified = await verifyPInitRes(
      p,
      answer.message.value,
      { chall_C: session.chall_C, lid_C: session.lid_C, brandID: "Visa" },
      { pinnedRoot: pki.root(), at: p.now() },
      { requireRevocation: true },
    );
    expect(verified.data.brandCRLIdentifier).toBeDefined();
  });

  it("refuses a PReq signed with the revoked cardholder certificate (revokedCertificate); the same PReq from a valid card goes on", async () => {
    const revokedCard = pki.attackCards()["visa-revoked"];
    const run = async (kit: CardKit) => {
      const order = await newOrder("1 x mug");
      const session = pInitReq(p, order.lidM, { bin: kit.pan.slice(0, 6) });
      const answer = schema.decodeMessage(await postSet(session.pInitReq));
      if (answer.message.type !== "purchaseInitResponse") throw new Error(`got ${answer.message.type}`);
      const verified = await verifyPInitRes(
        p,
        answer.message.value,
        { chall_C: session.chall_C, lid_C: session.lid_C, brandID: "Visa" },
        { pinnedRoot: pki.root(), at: p.now() },
        { requireRevocation: true },
      );
      const req = await pReq(p, kit, session, verified, {
        description: "1 x mug",
        purchAmt: { currency: 392, amount: 12800, amtExp10: 0 },
      });
      return { order, reply: await postSet(req.der) };
    };
    const stateOf = async (id: number) =>
      ((await (await fetch(`${merchant.url}/orders/${id}`)).json()) as { state: string }).state;
    const revoked = await run(await kitOf("attack/visa/cardholder-revoked/signature", revokedCard));
    expect(await errorCodeOf(p, revoked.reply)).toBe("revokedCertificate");
    expect(await stateOf(revoked.order.id)).toBe("initiated");
    const valid = await run(await kitOf("visa/cards/visa-approve", pki.cards()["visa-approve"]));
    expect(schema.decodeMessage(valid.reply).message.type).toBe("purchaseResponse");
    expect(await stateOf(valid.order.id)).toBe("authorizationFailed");
  });
});
