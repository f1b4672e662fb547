/**
 * The gateway's Trust from a real `set-ca init` directory: each brand's BCI and CRLs, so that
 * revoked, expired, not yet valid and foreign merchant certificates are refused at AuthReq, and a
 * cardholder revoked later (set-ca revoke, crl, bci) is refused by the running gateway once its
 * revocation source has read the new BCI.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import {
  nodeProvider,
  type Signer,
  sealAuthReq,
  type Trust,
  ValidatedChainCache,
  wrapMessage,
} from "@setlab/protocol";
import { LabPki, LabRevocationSource } from "@setlab/runtime";
import { closedAtEnd } from "@setlab/runtime/testing";
import { Gateway } from "./gateway/gateway";
import { accountsFrom, enrolledMerchantsFrom, gatewayKeysFrom, gatewayTrustFrom } from "./gatewayPki";
import { GatewayStore } from "./store/gatewayStore";
import { AuthReqBuilder, type BuiltAuthReq } from "./testing/authReqBuilder";
import { makeLabPkiDir } from "./testing/labPkiDir";
import { testStoreOptions } from "./testing/testStoreOptions";

const p = nodeProvider();
const caCli = path.resolve(__dirname, "../../ca/dist/cli.js");
let tmp: ReturnType<typeof makeLabPkiDir>;
let pki: LabPki;
let b: AuthReqBuilder;
let dbCount = 0;
let source: LabRevocationSource;
const labTrust = () => gatewayTrustFrom(pki, source);

beforeAll(async () => {
  tmp = makeLabPkiDir();
  pki = LabPki.open(tmp.pkiDir);
  b = new AuthReqBuilder(p, pki);
  source = await LabRevocationSource.open(tmp.pkiDir, p);
}, 120_000);
afterAll(() => tmp.cleanup());

async function gatewayWith(trust: Omit<Trust, "at">) {
  const store = closedAtEnd(
    GatewayStore.open(path.join(tmp.dir, `gw-${++dbCount}.sqlite`), testStoreOptions),
  );
  store.seedAccounts(accountsFrom(pki));
  const gw = new Gateway({
    provider: p,
    keys: await gatewayKeysFrom(pki, p),
    trust,
    store,
    enrolled: enrolledMerchantsFrom(pki),
  });
  return { gw, store };
}

async function signer(id: string): Promise<Signer> {
  return {
    certificate: pki.certificate(id),
    privateKey: await pki.privateKey(id, "signature", p),
    chain: pki.chain(id),
  };
}

/** The same AuthReqData and PI, sealed by the merchant certificate `id` (the lab merchant's key-exchange certificate carried). */
async function sealedBy(built: BuiltAuthReq, id: string): Promise<Uint8Array> {
  const sig = await signer(id);
  const authReq = await sealAuthReq(
    p,
    { ...sig, chain: [pki.certificate("visa/merchant/key-exchange"), ...(sig.chain ?? [])] },
    pki.certificate("visa/gateway/key-exchange"),
    built.parts.authReqData,
    built.piDer,
  );
  const tags = built.parts.authReqData.authReqItem.authTags;
  return wrapMessage(
    { type: "authorizationRequest", value: authReq },
    {
      rrpid: tags.authRRTags.rrpid,
      lid_C: tags.transIDs.lid_C,
      lid_M: tags.transIDs.lid_M,
      xid: tags.transIDs.xid,
    },
    { date: new Date() },
  );
}

async function errorCode(bytes: Uint8Array): Promise<string> {
  const r = await b.read(bytes);
  if (r.type !== "error")
    throw new Error(`expected an Error, got AuthRes ${r.data.authResPayload.authHeader.authCode}`);
  return r.code;
}

describe("gatewayPki: revocation material and accounts", () => {
  it("holds each brand's BCI (verified) and every CRL", async () => {
    const trust = labTrust();
    const r = { ...trust }.revocation ?? {};
    expect(Object.keys(r).sort()).toEqual(["MasterCard", "Visa"]);
    for (const brand of ["Visa", "MasterCard"]) {
      const bci = r[brand].bci;
      expect("content" in bci && bci.content.brandID).toBe(brand);
      expect(r[brand].crls).toHaveLength(pki.crls().length);
    }
    expect(trust.pinnedRoot).toEqual(pki.root());
  });

  it("seeds the attack cards' accounts too, so only certificate checks refuse them", () => {
    const visaRevoked = accountsFrom(pki).find((a) => a.cardId === "visa-revoked");
    expect(visaRevoked).toMatchObject({ brand: "Visa", outcome: "approve" });
  });

  it("enrolls the merIDs of the PKI's merchant certificates per brand, not those under the foreign root", () => {
    const foreign = pki.entries.find((e) => e.id === "attack/foreign/visa/merchant/signature");
    expect(foreign).toBeDefined();
    expect(enrolledMerchantsFrom(pki)).toEqual({
      Visa: ["SETLAB-MER-0001", "SETLAB-MER-0002"],
      MasterCard: ["SETLAB-MER-0001"],
    });
  });
});

describe("the gateway under gatewayTrustFrom", () => {
  it("approves the lab merchant's AuthReq", async () => {
    const { gw } = await gatewayWith(labTrust());
    const out = await gw.handleAuthReq((await b.build()).bytes);
    expect(out.kind).toBe("authRes");
    expect(out.authCode).toBe("approved");
  });

  it.each([
    ["attack/visa/merchant-revoked/signature", "revokedCertificate"],
    ["attack/visa/merchant-expired/signature", "expiredCertificate"],
    ["attack/visa/merchant-future/signature", "invalidCertificate"],
    ["attack/foreign/visa/merchant/signature", "invalidCertificate"],
  ])("refuses an AuthReq signed with %s: %s, and records nothing", async (id, code) => {
    const { gw, store } = await gatewayWith(labTrust());
    const built = await b.build();
    const out = await gw.handleAuthReq(await sealedBy(built, id));
    expect(out.kind).toBe("error");
    expect(await errorCode(out.response)).toBe(code);
    expect(store.authorizationsByXid(Buffer.from(built.parts.transIDs.xid).toString("hex"))).toHaveLength(0);
  });

  it("refuses the revoked merchant even after its chain was cached without revocation material", async () => {
    const trust = { ...labTrust() };
    const chainCache = new ValidatedChainCache();
    const open = await gatewayWith({ ...trust, revocation: undefined, chainCache });
    const built = await b.build();
    expect(
      (await open.gw.handleAuthReq(await sealedBy(built, "attack/visa/merchant-revoked/signature"))).kind,
    ).toBe("authRes");
    const checked = await gatewayWith({ ...trust, chainCache });
    const again = await b.build();
    const out = await checked.gw.handleAuthReq(
      await sealedBy(again, "attack/visa/merchant-revoked/signature"),
    );
    expect(await errorCode(out.response)).toBe("revokedCertificate");
    expect(chainCache.hits).toBeGreaterThan(0);
  });

  it("refuses a cardholder revoked while it runs once its source has read the brand's new BCI; no restart", async () => {
    const running = await gatewayWith(labTrust());
    expect((await running.gw.handleAuthReq((await b.build()).bytes)).authCode).toBe("approved");
    const serial = pki.entry("visa/cards/visa-approve").serial;
    for (const args of [
      ["revoke", "--dir", tmp.pkiDir, "--serial", serial, "--reason", "keyCompromise"],
      ["crl", "--dir", tmp.pkiDir, "--ca", "visa/cca"],
      ["bci", "--dir", tmp.pkiDir, "--brand", "Visa"],
    ])
      execFileSync(process.execPath, [caCli, ...args], { stdio: "ignore" });
    // Until the source reads the directory, the material in force is the old one.
    expect((await running.gw.handleAuthReq((await b.build()).bytes)).authCode).toBe("approved");
    expect(await source.refresh()).toBe(true);
    const built = await b.build();
    const out = await running.gw.handleAuthReq(built.bytes);
    expect(await errorCode(out.response)).toBe("revokedCertificate");
    expect(
      running.store.authorizationsByXid(Buffer.from(built.parts.transIDs.xid).toString("hex")),
    ).toHaveLength(0);
  });
});
