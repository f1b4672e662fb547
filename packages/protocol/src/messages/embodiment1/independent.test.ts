/**
 * Independent oracles for the first embodiment's wire format: libtasn1's asn1Decoding reads our
 * DER against SetLabEmbodiments.asn (generated values of every type, and real messages), and
 * OpenSSL verifies the signed parts and opens the enveloped one.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import fc from "fast-check";
import { type Codec, encodeDer } from "../../asn1/codec";
import { openE } from "../../crypto/envelope";
import { nodeProvider } from "../../crypto/provider";
import type { Signer } from "../../crypto/signedMessage";
import { SetError } from "../../errors";
import { decodeEmbodimentMessage, type E2CardInfo, embodimentTypes } from "../../schema/embodiments";
import { SetLab } from "../../schema/oids";
import { arbitraryOf } from "../../testing/arbitrary";
import { createTestPki, type PartyName, type TestPki } from "../../testing/pki";
import { signE2CardHello } from "../embodiment2/e2CardHello";
import { sealE2CardInfo, sealE2CardInfoForCardCompany } from "../embodiment2/e2CardInfo";
import { buildE2Init } from "../embodiment2/e2Init";
import { signE2MerchantHello } from "../embodiment2/e2MerchantHello";
import { sealE2SessionKey } from "../embodiment2/e2SessionKey";
import { sealE1AuthReq } from "./e1AuthReq";
import { signE1AuthRes } from "./e1AuthRes";
import { buildE1InfoInit } from "./e1InfoInit";
import { buildE1InfoReq } from "./e1InfoReq";
import { signE1InfoRes } from "./e1InfoRes";
import { signE1Result } from "./e1Result";
import { embodimentRefusal } from "./envelope";

const p = nodeProvider();
const moduleFile = resolve(__dirname, "../../../asn1/SetLabEmbodiments.asn");
const setLabFile = resolve(__dirname, "../../../asn1/SetLab.asn");
const moduleName = "SetLabEmbodiments-Module";
const now = new Date();
const fill = (n: number) => new Uint8Array(20).fill(n);
const purchAmt = { currency: 392, amount: 12800, amtExp10: 0 };

let dir: string;
let pki: TestPki;
const signer = (name: PartyName): Signer => ({
  certificate: pki[name].certificate,
  privateKey: pki[name].privateKey,
  chain: pki.intermediatesOf(name),
});

function asn1Decoding(der: Uint8Array, type: string): string {
  const file = join(dir, `${type}-${Math.random().toString(16).slice(2)}.der`);
  writeFileSync(file, der);
  const run = spawnSync("asn1Decoding", ["-s", moduleFile, file, `${moduleName}.${type}`], {
    encoding: "utf8",
  });
  if (run.error)
    throw new Error(`asn1Decoding is not installed (${run.error.message}): install libtasn1-bin`);
  return `${run.stdout}${run.stderr}`;
}

const openssl = (...args: string[]) =>
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] }).toString();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "setlab-embodiment-"));
  pki = await createTestPki(p);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("libtasn1 reads SetLabEmbodiments.asn", () => {
  it.each(Object.keys(embodimentTypes))("generated %s values decode against the module", (type) => {
    const codec = embodimentTypes[type as keyof typeof embodimentTypes] as Codec<unknown>;
    for (const value of fc.sample(arbitraryOf(codec), { numRuns: 3, seed: 7 }))
      expect(asn1Decoding(encodeDer(codec, value), type)).toContain("Decoding: SUCCESS");
  });

  it("refuses what is not the type (the oracle can fail)", () => {
    const init = buildE1InfoInit({ lid_M: Uint8Array.of(1) }, now);
    expect(asn1Decoding(init, "E1InfoReq")).not.toContain("Decoding: SUCCESS");
  });

  it("the copies of SetLab.asn's types are identical", () => {
    const ours = readFileSync(moduleFile, "utf8");
    const theirs = readFileSync(setLabFile, "utf8");
    // One line, or from "Name ::= X {" to its closing "}" line.
    const definition = (text: string, name: string) => {
      const lines = text.split("\n");
      const start = lines.findIndex((l) => l.startsWith(`${name} ::= `));
      if (start < 0) throw new Error(`${name} not found`);
      let end = start;
      if (lines[start].includes("{") && !lines[start].includes("}")) while (lines[end] !== "}") end++;
      return lines
        .slice(start, end + 1)
        .join(" ")
        .replace(/\s+/g, " ");
    };
    for (const name of [
      "RRPID",
      "Challenge",
      "Secret",
      "XID",
      "LocalID",
      "BrandID",
      "PAN",
      "CardExpiry",
      "CurrencyAmount",
      "CompletionCode",
      "AuthCode",
      "ErrorCode",
      "ContentInfo",
    ])
      expect(definition(ours, name)).toBe(definition(theirs, name));
  });
});

describe("captures of every embodiment message", () => {
  let signedCardInfo: Uint8Array;
  let captures: Record<string, Uint8Array>;
  let cardCompany: Record<string, Uint8Array>;

  beforeAll(async () => {
    const cardInfo = {
      lid_M: new TextEncoder().encode("order-7"),
      xid: fill(0x10),
      chall_M: fill(0x50),
      chall_C: fill(0x70),
      purchAmt,
      brandID: "Visa",
      pan: "4111111111111111113",
      cardExpiry: "202912",
      panSecret: fill(0x90),
    };
    const infoRes = await signE1InfoRes(p, signer("cardholder"), cardInfo, now);
    signedCardInfo = decodeEmbodimentMessage(infoRes).message.value as Uint8Array;
    captures = {
      e1InfoInit: buildE1InfoInit({ lid_M: cardInfo.lid_M }, now),
      e1InfoReq: buildE1InfoReq({ ...cardInfo, brands: ["Visa"] }, now),
      e1InfoRes: infoRes,
      e1AuthReq: await sealE1AuthReq(
        p,
        signer("merchantSig"),
        pki.gatewayKex.certificate,
        {
          authRRPID: fill(0xc0),
          xid: cardInfo.xid,
          purchAmt,
          cardInfo: { type: "signed", value: signedCardInfo },
        },
        now,
      ),
      e1AuthRes: await signE1AuthRes(
        p,
        signer("gatewaySig"),
        { authRRPID: fill(0xc0), xid: cardInfo.xid, authCode: "approved", authAmt: purchAmt },
        now,
      ),
      e1Result: await signE1Result(
        p,
        signer("merchantSig"),
        { xid: cardInfo.xid, chall_C: cardInfo.chall_C, completionCode: "authorizationPerformed" },
        now,
      ),
      error: embodimentRefusal(new SetError("unknownXID", "x", "E1CardInfo.xid"), now),
    };
    const cardKeys = (await p.crypto.subtle.generateKey(
      { name: "RSA-OAEP", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      true,
      ["encrypt", "decrypt"],
    )) as CryptoKeyPair;
    const cardKey = new Uint8Array(await p.crypto.subtle.exportKey("spki", cardKeys.publicKey));
    captures.e2Init = buildE2Init({ lid_M: cardInfo.lid_M }, now);
    captures.e2MerchantHello = await signE2MerchantHello(
      p,
      signer("merchantSig"),
      { lid_M: cardInfo.lid_M, xid: cardInfo.xid, chall_M: cardInfo.chall_M, purchAmt, brands: ["Visa"] },
      now,
    );
    captures.e2CardHello = await signE2CardHello(
      p,
      signer("cardholder"),
      { xid: cardInfo.xid, chall_M: cardInfo.chall_M, chall_C: cardInfo.chall_C, cardKey },
      now,
    );
    captures.e2SessionKey = (
      await sealE2SessionKey(
        p,
        signer("merchantSig"),
        cardKey,
        { xid: cardInfo.xid, chall_C: cardInfo.chall_C },
        { od: new TextEncoder().encode("1 x SET Lab mug"), purchAmt },
        now,
      )
    ).message;
    captures.e2CardInfo = await sealE2CardInfo(
      p,
      signer("cardholder"),
      new Uint8Array(32).fill(7),
      cardInfo,
      now,
    );
    // The card-company option of claims 7-8: the gateway's certificate named, the card information sealed to it.
    cardCompany = {
      sessionKey: (
        await sealE2SessionKey(
          p,
          signer("merchantSig"),
          cardKey,
          { xid: cardInfo.xid, chall_C: cardInfo.chall_C },
          { od: new TextEncoder().encode("1 x SET Lab mug"), purchAmt },
          now,
          [pki.gatewayKex.certificate, ...pki.intermediatesOf("gatewayKex")],
        )
      ).message,
      cardInfo: await sealE2CardInfoForCardCompany(
        p,
        signer("cardholder"),
        pki.gatewayKex.certificate,
        cardInfo,
        now,
      ),
    };
    const forwarded = decodeEmbodimentMessage(cardCompany.cardInfo).message.value as E2CardInfo;
    cardCompany.authReq = await sealE1AuthReq(
      p,
      signer("merchantSig"),
      pki.gatewayKex.certificate,
      {
        authRRPID: fill(0xc1),
        xid: cardInfo.xid,
        purchAmt,
        cardInfo: { type: "sealedToGateway", value: forwarded.sealed.value },
      },
      now,
    );
  });

  it("each decodes as EmbodimentWrapper, with the alternative it is", () => {
    for (const [type, der] of Object.entries(captures)) {
      const out = asn1Decoding(der, "EmbodimentWrapper");
      expect(out).toContain("Decoding: SUCCESS");
      expect(out).toContain(type);
    }
  });

  it("OpenSSL verifies the signed ones to the root, and their content decodes against the module", () => {
    writeFileSync(join(dir, "root.pem"), pki.root.certificatePem);
    const verify = [
      "cms",
      "-verify",
      "-inform",
      "DER",
      "-CAfile",
      "root.pem",
      "-purpose",
      "any",
      "-ignore_critical",
    ];
    const inner: Record<string, string> = {
      e1InfoRes: "E1CardInfo",
      e1AuthRes: "E1AuthResData",
      e1Result: "E1ResultData",
      e2MerchantHello: "E2MerchantHelloData",
      e2CardHello: "E2CardHelloData",
      e2SessionKey: "E2SessionKeyData",
    };
    for (const [type, tbs] of Object.entries(inner)) {
      writeFileSync(
        join(dir, `${type}.der`),
        decodeEmbodimentMessage(captures[type]).message.value as Uint8Array,
      );
      openssl(...verify, "-in", `${type}.der`, "-out", `${type}.tbs`);
      expect(asn1Decoding(new Uint8Array(readFileSync(join(dir, `${type}.tbs`))), tbs)).toContain(
        "Decoding: SUCCESS",
      );
    }
    // OpenSSL refuses a signature that does not verify (the oracle can fail).
    const damaged = new Uint8Array(readFileSync(join(dir, "e1Result.der")));
    damaged[damaged.length - 3] ^= 1;
    writeFileSync(join(dir, "damaged.der"), damaged);
    expect(() => openssl(...verify, "-in", "damaged.der", "-out", "damaged.tbs")).toThrow();
  });

  it("OpenSSL opens E1AuthReq with the gateway's key and verifies the merchant's signature inside", async () => {
    writeFileSync(join(dir, "root.pem"), pki.root.certificatePem);
    writeFileSync(join(dir, "kex.key"), pki.gatewayKex.privateKeyPem);
    writeFileSync(join(dir, "kex.pem"), pki.gatewayKex.certificatePem);
    const sealed = decodeEmbodimentMessage(captures.e1AuthReq).message.value as Uint8Array;
    writeFileSync(join(dir, "authreq.der"), sealed);
    openssl(
      "cms",
      "-decrypt",
      "-inform",
      "DER",
      "-inkey",
      "kex.key",
      "-recip",
      "kex.pem",
      "-in",
      "authreq.der",
      "-out",
      "s.der",
    );
    const s = new Uint8Array(readFileSync(join(dir, "s.der")));
    const ours = await openE(
      p,
      { certificate: pki.gatewayKex.certificate, privateKey: pki.gatewayKex.privateKey },
      sealed,
      { contentType: SetLab.e1AuthReqTBE },
    );
    expect(s).toEqual(ours);
    openssl(
      "cms",
      "-verify",
      "-inform",
      "DER",
      "-CAfile",
      "root.pem",
      "-purpose",
      "any",
      "-ignore_critical",
      "-in",
      "s.der",
      "-out",
      "t.der",
    );
    const t = new Uint8Array(readFileSync(join(dir, "t.der")));
    expect(asn1Decoding(t, "E1AuthReqData")).toContain("Decoding: SUCCESS");
  });

  it("the card-company option: the session key naming the gateway, the card's envelope to it, E1AuthReq forwarding it; OpenSSL opens the card's envelope with the gateway's key", () => {
    for (const [type, der] of Object.entries({
      e2SessionKey: cardCompany.sessionKey,
      e2CardInfo: cardCompany.cardInfo,
      e1AuthReq: cardCompany.authReq,
    })) {
      const out = asn1Decoding(der, "EmbodimentWrapper");
      expect(out).toContain("Decoding: SUCCESS");
      expect(out).toContain(type);
    }
    expect(asn1Decoding(cardCompany.cardInfo, "EmbodimentWrapper")).toContain("cardCompany");
    writeFileSync(join(dir, "root.pem"), pki.root.certificatePem);
    writeFileSync(join(dir, "kex.key"), pki.gatewayKex.privateKeyPem);
    writeFileSync(join(dir, "kex.pem"), pki.gatewayKex.certificatePem);
    const verify = [
      "cms",
      "-verify",
      "-inform",
      "DER",
      "-CAfile",
      "root.pem",
      "-purpose",
      "any",
      "-ignore_critical",
    ];
    // The session key's signed content names the certificate: E2SessionKeyData with cardCompanyKey.
    writeFileSync(
      join(dir, "sk.der"),
      decodeEmbodimentMessage(cardCompany.sessionKey).message.value as Uint8Array,
    );
    openssl(...verify, "-in", "sk.der", "-out", "sk.tbs");
    const skOut = asn1Decoding(new Uint8Array(readFileSync(join(dir, "sk.tbs"))), "E2SessionKeyData");
    expect(skOut).toContain("Decoding: SUCCESS");
    expect(skOut).toContain("cardCompanyKey");
    const sealed = (decodeEmbodimentMessage(cardCompany.cardInfo).message.value as E2CardInfo).sealed.value;
    writeFileSync(join(dir, "ci.der"), sealed);
    openssl(
      "cms",
      "-decrypt",
      "-inform",
      "DER",
      "-inkey",
      "kex.key",
      "-recip",
      "kex.pem",
      "-in",
      "ci.der",
      "-out",
      "ci.s",
    );
    openssl(...verify, "-in", "ci.s", "-out", "ci.tbs");
    expect(asn1Decoding(new Uint8Array(readFileSync(join(dir, "ci.tbs"))), "E1CardInfo")).toContain(
      "Decoding: SUCCESS",
    );
  });
});
