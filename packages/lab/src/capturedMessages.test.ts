/**
 * The purchase's wire bytes, its capture's, an authorization reversal's and a batch close's, judged by programs that share no code with the
 * project: every SET message a real lab purchase captures decodes under libtasn1's asn1Decoding
 * against SetLab.asn, and OpenSSL verifies the signed ones and opens the envelopes it can. Our own codecs only locate
 * the inner bytes; wherever both sides see a value, they must see the same one.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  type Codec,
  DD,
  type Decrypter,
  decodeDer,
  defaultProvider,
  encodeDer,
  openEncB,
  openEX,
  openEXH,
  parseSetCertificate,
  readError,
  SetError,
  schema,
  sealBatchAdminReq,
  signPCertReq,
  toHex,
  verifyS,
  wholeSeconds,
  wrapMessage,
} from "@setlab/protocol";
import { LabPki, postSet } from "@setlab/runtime";
import { seedLabPki } from "@setlab/runtime/testing";
import { type CapturedMessage, fetchMessages } from "./capture";
import { authorizeOrder } from "./commands/authorizeOrder";
import { capRevOrCredOrderAt } from "./commands/capRevOrCredOrder";
import { captureOrder } from "./commands/captureOrder";
import { down } from "./commands/down";
import { inquire } from "./commands/inquire";
import { type PurchaseResult, purchase } from "./commands/purchase";
import { reverseOrder } from "./commands/reverseOrder";
import { up } from "./commands/up";
import { adminOf, type LabState } from "./labState";
import { elementAt, flipped, offsetOf, requireTool, Scratch } from "./testing/oracles";

const p = defaultProvider;
const { ContentType } = schema;
const jpy = { currency: 392, amount: 12800, amtExp10: 0 };
const flowTypes = ["PInitReq", "PInitRes", "PReq", "AuthReq", "AuthRes", "PRes"] as const;
/** The Message CHOICE alternative libtasn1 must name for each captured type. */
const alternative: Record<string, string> = {
  PInitReq: "purchaseInitRequest",
  PInitRes: "purchaseInitResponse",
  PReq: "purchaseRequest",
  AuthReq: "authorizationRequest",
  AuthRes: "authorizationResponse",
  PRes: "purchaseResponse",
  Error: "error",
};

interface Flow {
  readonly card: string;
  readonly brand: "visa" | "mastercard";
  readonly form: "pReqDualSigned" | "pReqUnsigned";
  readonly profile: "set" | "hardened";
}
const flows: Record<string, Flow> = {
  "dual-signed": { card: "visa-approve", brand: "visa", form: "pReqDualSigned", profile: "set" },
  unsigned: { card: "mc-approve", brand: "mastercard", form: "pReqUnsigned", profile: "set" },
  hardened: { card: "visa-approve", brand: "visa", form: "pReqDualSigned", profile: "hardened" },
};
type FlowName = keyof typeof flows;

interface Run {
  readonly result: PurchaseResult;
  readonly messages: CapturedMessage[];
}

let home: string;
let state: LabState | undefined;
let pki: LabPki;
let scratch: Scratch;
const runs = new Map<FlowName, Run>();
/** The merchant's answer to a tampered PInitReq, as recorded with its order. */
let errorCapture: CapturedMessage[] = [];
/** The CapReq and CapRes of capturing the dual-signed purchase. */
let captureMessages: CapturedMessage[] = [];
/** The AuthReq and AuthRes of a split shipment's second part (PI = AuthToken). */
let subsequentMessages: CapturedMessage[] = [];
/** Then its credit, the credit's reversal and the capture's reversal: three requests, three answers. */
let capRevOrCredMessages: CapturedMessage[] = [];
/** The AuthRevReq and AuthRevRes of reducing the unsigned purchase's authorization. */
let reversalMessages: CapturedMessage[] = [];
/** The InqReq and InqRes of the card asking about its hardened purchase. */
let inquiryMessages: CapturedMessage[] = [];
/** A PCertReq in the lab merchant's name, and the gateway's PCertRes. */
let pCert: { req: Uint8Array; res: Uint8Array } | undefined;
/** A self-signed root the lab never heard of. */
let foreignRoot: string;

beforeAll(async () => {
  requireTool("asn1Decoding", ["--version"], "the Debian package libtasn1-bin");
  requireTool("openssl", ["version"], "the Debian package openssl");
  home = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-captured-"));
  scratch = new Scratch();
  seedLabPki(path.join(home, "pki"));
  state = await up({ home });
  pki = LabPki.open(state.pki);
  const merchantAdmin = adminOf(state, "merchant");
  for (const [name, flow] of Object.entries(flows)) {
    const result = await purchase({
      home,
      card: flow.card,
      purchAmt: jpy,
      profile: flow.profile,
      unsigned: flow.form === "pReqUnsigned",
    });
    runs.set(name, { result, messages: await fetchMessages(merchantAdmin, result.orderId) });
  }

  // A SET Error, the way a merchant really sends one: a PInitReq replayed with its RRPID but
  // other bytes (its language) is refused with unknownRRPID and recorded with the order.
  const dual = runs.get("dual-signed");
  const pInitReq = dual?.messages.find((m) => m.type === "PInitReq");
  if (!dual || !pInitReq) throw new Error("the dual-signed purchase captured no PInitReq");
  // MessageWrapper / [0] Message / [0] PInitReq / {rrpid, language, ...}: flip the language's last byte.
  const body = elementAt(pInitReq.der, 1, 0, 0);
  const language = elementAt(body, 1);
  const at = offsetOf(pInitReq.der, body) + offsetOf(body, language) + language.length - 1;
  const tampered = flipped(pInitReq.der, at);
  const refused = schema.decodeMessage(tampered).message.value as schema.PInitReq;
  const original = schema.decodeMessage(pInitReq.der).message.value as schema.PInitReq;
  if (refused.language === original.language || toHex(refused.rrpid) !== toHex(original.rrpid))
    throw new Error("the tampered PInitReq should differ in its language only");
  await postSet(`${state.parties.merchant.url.replace(/\/$/, "")}/set`, tampered);
  const after = await fetchMessages(merchantAdmin, dual.result.orderId);
  errorCapture = after.slice(dual.messages.length);
  const captured = await captureOrder(home, String(dual.result.orderId));
  if (captured.state !== "captured")
    throw new Error(`the dual-signed purchase was not captured: ${captured.state}`);
  captureMessages = (await fetchMessages(merchantAdmin, dual.result.orderId)).slice(after.length);
  const orderId = String(dual.result.orderId);
  for (const [command, options] of [
    ["refund", { amount: "1000" }],
    ["reverse-refund", {}],
    ["reverse-capture", {}],
  ] as const) {
    const done = await capRevOrCredOrderAt(merchantAdmin, command, orderId, options);
    if (done.authorization?.capRevOrCreds?.at(-1)?.code !== "success")
      throw new Error(`${command} of the dual-signed purchase was not done: ${done.state}`);
  }
  capRevOrCredMessages = (await fetchMessages(merchantAdmin, dual.result.orderId)).slice(
    after.length + captureMessages.length,
  );
  // The card asks about its hardened purchase, authorized and left as it is.
  const hardened = run("hardened");
  const asked = await inquire(home, String(hardened.result.orderId), flows.hardened.card);
  if (asked.mediator.completionCode !== "authorizationPerformed")
    throw new Error(`the inquiry did not report the authorization: ${JSON.stringify(asked.mediator)}`);
  inquiryMessages = (await fetchMessages(merchantAdmin, hardened.result.orderId)).slice(
    hardened.messages.length,
  );
  const rrpid = p.random(20);
  const merchantSigner = await pki.signer("visa/merchant/signature", p);
  const merID = parseSetCertificate(merchantSigner.certificate).merchantData?.merID;
  const pCertReq = wrapMessage(
    {
      type: "pCertificateRequest",
      value: await signPCertReq(p, merchantSigner, {
        pCertRRTags: {
          rrpid,
          merTermIDs: { merchantID: merID ?? "" },
          currentDate: new Date(Date.UTC(2026, 10, 25)),
        },
        brandAndBINSeq: [{ brandID: "Visa" }],
      }),
    },
    { rrpid },
    { date: new Date() },
  );
  pCert = {
    req: pCertReq,
    res: await postSet(`${state.parties.gateway.url.replace(/\/$/, "")}/set`, pCertReq),
  };
  const unsigned = run("unsigned");
  const reduced = await reverseOrder(home, String(unsigned.result.orderId), "5000");
  if (reduced.authorization?.reversal?.authRevCode !== "approved")
    throw new Error(`the unsigned purchase's authorization was not reduced: ${reduced.state}`);
  reversalMessages = (await fetchMessages(merchantAdmin, unsigned.result.orderId)).slice(
    unsigned.messages.length,
  );

  // A split shipment: the purchase authorizes 4000 of 12800, the second part 5000 with the AuthToken.
  const split = await purchase({ home, card: "visa-approve", purchAmt: jpy, firstShipmentAmount: 4000 });
  const firstPart = await fetchMessages(merchantAdmin, split.orderId);
  const later = await authorizeOrder(home, String(split.orderId), "5000");
  const part = later.authorization?.subsequent?.at(-1);
  if (part?.authCode !== "approved")
    throw new Error(`the second part was not authorized: ${JSON.stringify(part)}`);
  subsequentMessages = (await fetchMessages(merchantAdmin, split.orderId)).slice(firstPart.length);

  scratch.write("root.pem", fs.readFileSync(path.join(state.pki, pki.entry("root").certificate)));
  for (const brand of ["visa", "mastercard"])
    scratch.write(
      `${brand}-certs.pem`,
      pki.entries
        .filter((e) => e.id.startsWith(`${brand}/`))
        .map((e) => fs.readFileSync(path.join(pki.dir, e.certificate), "utf8"))
        .join(""),
    );
  const made = scratch.openssl(
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-noenc",
    "-keyout",
    os.devNull,
    "-subj",
    "/CN=Not the SET Lab Root",
    "-days",
    "1",
    "-out",
    "foreign-root.pem",
  );
  if (!made.ok) throw new Error(`cannot make a foreign root: ${made.output}`);
  foreignRoot = "foreign-root.pem";
}, 120_000);

afterAll(async () => {
  if (state) await down(home);
  if (home) fs.rmSync(home, { recursive: true, force: true });
  scratch?.remove();
});

const run = (name: FlowName): Run => {
  const r = runs.get(name);
  if (!r) throw new Error(`no ${name} purchase`);
  return r;
};
const der = (name: FlowName, type: string): Uint8Array => {
  const m = run(name).messages.find((x) => x.type === type);
  if (!m) throw new Error(`the ${name} purchase captured no ${type}`);
  return m.der;
};
const bodyOf = (bytes: Uint8Array) => schema.decodeMessage(bytes).message;
/** A value libtasn1 printed for the field `name` (the first one). */
const printed = (output: string, name: string) =>
  new RegExp(`name:${name}\\s+type:\\S+\\s+value:(\\S+)`).exec(output)?.[1]?.toLowerCase();

/** The DER of the `type` message among those one lab `step` recorded. */
const recordedDer = (messages: CapturedMessage[], step: string, type: string) => {
  const m = messages.find((x) => x.type === type);
  if (!m) throw new Error(`the ${step} recorded no ${type}`);
  return m.der;
};

/**
 * One lab step recorded exactly the request and answer of `pairs`, in that order, each decoding
 * under asn1Decoding as MessageWrapper with its Message alternative.
 */
const expectRecordedWrappers = (
  messages: CapturedMessage[],
  tag: string,
  pairs: readonly (readonly [type: string, alternative: string])[],
) => {
  expect(messages.map((m) => m.type)).toEqual(pairs.map(([type]) => type));
  for (const [type, alt] of pairs) {
    const v = scratch.asn1Decoding(`${tag}-${type}`, recordedDer(messages, tag, type), "MessageWrapper");
    expect(v.ok).toBe(true);
    expect(v.output).toMatch(new RegExp(`name:${alt}\\s+type:`));
  }
};

/** `openssl cms -verify` of a SignedData file against the lab root; `extra` adds -content etc. */
const cmsVerify = (file: string, brand: string, out: string, ...extra: string[]) =>
  scratch.openssl(
    "cms",
    "-verify",
    "-inform",
    "DER",
    "-in",
    file,
    "-CAfile",
    "root.pem",
    "-certfile",
    `${brand}-certs.pem`,
    "-purpose",
    "any",
    "-ignore_critical",
    "-binary",
    "-out",
    out,
    ...extra,
  );

const pem = (der: Uint8Array) =>
  `-----BEGIN CERTIFICATE-----\n${Buffer.from(der)
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")}\n-----END CERTIFICATE-----\n`;

/**
 * `openssl cms -verify` of `PREFIX-sd.der`, a token the gateway signed for itself (CapToken,
 * AuthToken), into `PREFIX-data.der`. The token carries no certificate (the gateway holds its
 * own): the verifier is given the gateway's signature certificate and, since `openssl cms` takes
 * no untrusted chain, the lab's CA certificates beside the root.
 */
const cmsVerifyGatewayToken = (prefix: string) => {
  scratch.write(`${prefix}-certs.pem`, pem(pki.certificate("visa/gateway/signature")));
  scratch.write(`${prefix}-ca.pem`, [pki.root(), ...pki.chain("visa/gateway/signature")].map(pem).join(""));
  return scratch.openssl(
    "cms",
    "-verify",
    "-inform",
    "DER",
    "-in",
    scratch.path(`${prefix}-sd.der`),
    "-CAfile",
    `${prefix}-ca.pem`,
    "-certfile",
    `${prefix}-certs.pem`,
    "-purpose",
    "any",
    "-ignore_critical",
    "-binary",
    "-out",
    `${prefix}-data.der`,
  );
};

/**
 * An EncB as OpenSSL opens it: `envelope` decrypted with the key-exchange key `recipient`, the
 * SignedData inside verified against the lab root and `brand`'s certificates, its Linkage naming
 * `baggageType` and the SHA-256 of `baggage`. Returns the Linkage (PREFIX-link.der).
 */
const expectOpenedEncB = (
  prefix: string,
  recipient: string,
  brand: string,
  envelope: Uint8Array,
  baggage: Uint8Array,
  baggageType: string,
) => {
  const env = scratch.write(`${prefix}-env.der`, envelope);
  expect(cmsDecrypt(env, recipient, `${prefix}-sd.der`).ok).toBe(true);
  const v = cmsVerify(scratch.path(`${prefix}-sd.der`), brand, `${prefix}-link.der`);
  expect(v.output).toContain("Verification successful");
  const linkage = scratch.read(`${prefix}-link.der`);
  const lv = scratch.asn1Decoding(`${prefix}-linkage`, linkage, "Linkage");
  expect(lv.ok).toBe(true);
  expect(printed(lv.output, "eContentType")).toBe(baggageType);
  expect(printed(lv.output, "digest")).toBe(createHash("sha256").update(baggage).digest("hex"));
  return linkage;
};

/** `openssl cms -decrypt` with a lab key-exchange key (encrypted PKCS#8, lab passphrase). */
const cmsDecrypt = (file: string, keyId: string, out: string) => {
  const entry = pki.entry(keyId);
  return scratch.openssl(
    "cms",
    "-decrypt",
    "-debug_decrypt",
    "-inform",
    "DER",
    "-in",
    file,
    "-recip",
    path.join(pki.dir, entry.certificate),
    "-inkey",
    path.join(pki.dir, entry.key),
    "-passin",
    "pass:setlab",
    "-binary",
    "-out",
    out,
  );
};

const decrypterOf = async (keyId: string): Promise<Decrypter> => ({
  certificate: pki.certificate(keyId),
  privateKey: await pki.privateKey(keyId, "keyEncipherment", defaultProvider),
});

describe.each(Object.keys(flows))("the %s purchase", (name) => {
  const flow = flows[name];
  const tag = name.replace(/[^a-z]/g, "");

  it("is approved and captures its six messages in SET's order", () => {
    const r = run(name);
    expect(r.result.mediator.outcome).toBe("approved");
    expect(r.messages.map((m) => m.type)).toEqual([...flowTypes]);
  });

  it.each([...flowTypes])("asn1Decoding decodes the captured %s as MessageWrapper", (type) => {
    const bytes = der(name, type);
    const v = scratch.asn1Decoding(`${tag}-${type}`, bytes, "MessageWrapper");
    expect(v.output).toContain("Decoding: SUCCESS");
    expect(v.ok).toBe(true);
    expect(v.output).toMatch(new RegExp(`name:${alternative[type]}\\s+type:`));
    // Both decoders read the same header.
    const header = schema.decodeMessage(bytes).messageHeader;
    expect(printed(v.output, "rrpid")).toBe(toHex(header.rrpid as Uint8Array));
  });

  it.each([
    ["PInitRes", "PInitResData", "purchaseInitResponse"],
    ["PRes", "PResData", "purchaseResponse"],
  ] as const)(
    "OpenSSL verifies the %s's S{M, %s}; its content is the data our verifier returns",
    async (type, dataType, alt) => {
      const body = bodyOf(der(name, type));
      expect(body.type).toBe(alt);
      const sd = body.value as Uint8Array;
      const file = scratch.write(`${tag}-${type}-sd.der`, sd);
      const v = cmsVerify(file, flow.brand, `${tag}-${type}-content.der`);
      expect(v.output).toContain("Verification successful");
      expect(v.ok).toBe(true);
      const fromOpenSsl = scratch.read(`${tag}-${type}-content.der`);
      const ours = await verifyS(p, sd, { contentType: ContentType[dataType] });
      expect(toHex(fromOpenSsl)).toBe(toHex(ours.content));
      const decoded = scratch.asn1Decoding(`${tag}-${dataType}`, fromOpenSsl, dataType);
      expect(decoded.ok).toBe(true);
      // The response carries the purchase's XID; both decoders find it.
      const xid = run(name).result.order.xid;
      expect(printed(decoded.output, "xid")).toBe(xid?.toLowerCase());
      const codec: Codec<{ transIDs: schema.TransIDs }> = schema[dataType];
      const data = decodeDer(codec, fromOpenSsl);
      expect(toHex(data.transIDs.xid)).toBe(xid?.toLowerCase());
    },
  );

  it(`the PReq is ${flow.form}, and its OIData decodes under asn1Decoding`, () => {
    const bytes = der(name, "PReq");
    const v = scratch.asn1Decoding(`${tag}-PReq-alt`, bytes, "MessageWrapper");
    expect(v.output).toMatch(new RegExp(`name:${flow.form}\\s+type:`));
    expect(bodyOf(bytes).value).toMatchObject({ type: flow.form });
    // MessageWrapper / [0] Message / [2] PReq / [n] PReqX / OI* / OIData
    const oiData = elementAt(bytes, 1, 0, 0, 0, 1, 0);
    const decoded = scratch.asn1Decoding(`${tag}-OIData`, oiData, "OIData");
    expect(decoded.ok).toBe(true);
    expect(printed(decoded.output, "brandID")).toBe(flow.brand === "visa" ? "visa" : "mastercard");
  });

  if (flow.form === "pReqDualSigned") {
    it("OpenSSL verifies the dual signature over PI-TBS = {hPIData, DD(OIData)}", async () => {
      const preq = (bodyOf(der(name, "PReq")).value as schema.PReq).value as schema.PReqDualSigned;
      const pitbs = await piTbsOf(preq, preq.oiDualSigned.oiData);
      const sig = scratch.write(`${tag}-pisig.der`, preq.piDualSigned.piSignature);
      const content = scratch.write(`${tag}-pitbs.der`, pitbs);
      const v = cmsVerify(sig, flow.brand, os.devNull, "-content", content);
      expect(v.output).toContain("Verification successful");
      expect(v.ok).toBe(true);
      expect(scratch.asn1Decoding(`${tag}-PI-TBS`, pitbs, "PI-TBS").ok).toBe(true);
    });

    it("and refuses it over another order's PI-TBS", async () => {
      const preq = (bodyOf(der(name, "PReq")).value as schema.PReq).value as schema.PReqDualSigned;
      const otherOrder = { ...preq.oiDualSigned.oiData, odSalt: flipped(preq.oiDualSigned.oiData.odSalt, 0) };
      const sig = scratch.write(`${tag}-pisig-other.der`, preq.piDualSigned.piSignature);
      const content = scratch.write(`${tag}-pitbs-other.der`, await piTbsOf(preq, otherOrder));
      const v = cmsVerify(sig, flow.brand, os.devNull, "-content", content);
      expect(v.ok).toBe(false);
      expect(v.output).toContain("Verification failure");
      expect(v.output).toContain("content verify error");
    });
  }

  it("OpenSSL cannot open the PI's ExtraBlock envelope (SET Lab's key transport), by design", () => {
    const preq = (bodyOf(der(name, "PReq")).value as schema.PReq).value;
    const envelope =
      "piDualSigned" in preq ? preq.piDualSigned.exPIData : (preq as schema.PReqUnsigned).piUnsigned;
    const file = scratch.write(`${tag}-expi.der`, envelope);
    const v = cmsDecrypt(file, `${flow.brand}/gateway/key-exchange`, `${tag}-expi.out`);
    expect(v.ok).toBe(false);
    expect(v.output).toContain("unsupported encryption type");
    // The key transport OpenSSL does not know is the project's own.
    const printedCms = scratch.openssl("cms", "-cmsout", "-print", "-inform", "DER", "-in", file);
    expect(printedCms.output).toContain(schema.SetLab.rsaOaepExtraBlock);
  });

  // The lab's cards hold gateway pins, so they bind the gateway whatever profile the purchase asks for.
  it("the gateway's PI-OILink decodes under asn1Decoding and names the ProfileBinding", async () => {
    const preq = (bodyOf(der(name, "PReq")).value as schema.PReq).value;
    const gateway = await decrypterOf(`${flow.brand}/gateway/key-exchange`);
    const opened =
      "piDualSigned" in preq
        ? await openEX(p, gateway, preq.piDualSigned.exPIData, {
            contentType: ContentType.PIDualSignedTBE,
            extraContentType: ContentType.PANData,
          })
        : await openEXH(p, gateway, (preq as schema.PReqUnsigned).piUnsigned, {
            contentType: ContentType.PIUnsignedTBE,
            extraContentType: ContentType.PANToken,
          });
    // Only PI-OILink reaches the disk; the account data in opened.extra stays in memory.
    const v = scratch.asn1Decoding(`${tag}-PI-OILink`, opened.t, "PI-OILink");
    expect(v.ok).toBe(true);
    expect(v.output).toMatch(/name:profileBinding\s+type:SEQUENCE/);
  });

  it("OpenSSL opens the AuthReq with the gateway's key and verifies the merchant's signature over L(AuthReqData, PI)", async () => {
    const authReq = bodyOf(der(name, "AuthReq")).value as schema.AuthReq;
    const env = scratch.write(`${tag}-authreq-env.der`, authReq.authReqEnvelope);
    const opened = cmsDecrypt(env, `${flow.brand}/gateway/key-exchange`, `${tag}-authreq-sd.der`);
    expect(opened.ok).toBe(true);
    const v = cmsVerify(scratch.path(`${tag}-authreq-sd.der`), flow.brand, `${tag}-authreq-link.der`);
    expect(v.output).toContain("Verification successful");
    const linkage = scratch.read(`${tag}-authreq-link.der`);
    const lv = scratch.asn1Decoding(`${tag}-authreq-linkage`, linkage, "Linkage");
    expect(lv.ok).toBe(true);
    // dd = DD(PI): SHA-256 of the PI baggage bytes exactly as they travel beside the envelope.
    expect(printed(lv.output, "eContentType")).toBe(ContentType.PI);
    expect(printed(lv.output, "digest")).toBe(createHash("sha256").update(authReq.pi).digest("hex"));
    // t is the AuthReqData our opener returns.
    const ours = await openEncB(
      p,
      await decrypterOf(`${flow.brand}/gateway/key-exchange`),
      { envelope: authReq.authReqEnvelope, baggage: authReq.pi },
      { signed: ContentType.AuthReqTBS, enveloped: ContentType.AuthReqTBE, baggage: ContentType.PI },
    );
    const t = elementAt(linkage, 0);
    expect(toHex(t)).toBe(toHex(ours.content));
    expect(scratch.asn1Decoding(`${tag}-AuthReqData`, t, "AuthReqData").ok).toBe(true);
    // The baggage is the cardholder's PI, in the form of this purchase.
    const pi = scratch.asn1Decoding(`${tag}-PI`, authReq.pi, "PI");
    expect(pi.ok).toBe(true);
    expect(pi.output).toMatch(
      new RegExp(`name:${flow.form === "pReqDualSigned" ? "piDualSigned" : "piUnsigned"}\\s+type:`),
    );
  });

  it("OpenSSL opens the AuthRes with the merchant's key and verifies the gateway's signature over L(AuthResData, AuthResBaggage)", async () => {
    const bytes = der(name, "AuthRes");
    const authRes = bodyOf(bytes).value as schema.AuthRes;
    // MessageWrapper / [0] Message / [7] AuthRes / [0] AuthResEncB / {envelope, baggage}
    const envelope = elementAt(bytes, 1, 0, 0, 0);
    const baggage = elementAt(bytes, 1, 0, 0, 1);
    expect(toHex(envelope)).toBe(toHex(authRes.value.authResEnvelope));
    const env = scratch.write(`${tag}-authres-env.der`, envelope);
    const opened = cmsDecrypt(env, `${flow.brand}/merchant/key-exchange`, `${tag}-authres-sd.der`);
    expect(opened.ok).toBe(true);
    const v = cmsVerify(scratch.path(`${tag}-authres-sd.der`), flow.brand, `${tag}-authres-link.der`);
    expect(v.output).toContain("Verification successful");
    const linkage = scratch.read(`${tag}-authres-link.der`);
    const lv = scratch.asn1Decoding(`${tag}-authres-linkage`, linkage, "Linkage");
    expect(lv.ok).toBe(true);
    expect(printed(lv.output, "eContentType")).toBe(ContentType.AuthResBaggage);
    expect(printed(lv.output, "digest")).toBe(createHash("sha256").update(baggage).digest("hex"));
    const ours = await openEncB(
      p,
      await decrypterOf(`${flow.brand}/merchant/key-exchange`),
      { envelope, baggage },
      {
        signed: ContentType.AuthResTBS,
        enveloped: ContentType.AuthResTBE,
        baggage: ContentType.AuthResBaggage,
      },
    );
    const t = elementAt(linkage, 0);
    expect(toHex(t)).toBe(toHex(ours.content));
    expect(scratch.asn1Decoding(`${tag}-AuthResData`, t, "AuthResData").ok).toBe(true);
    expect(scratch.asn1Decoding(`${tag}-AuthResBaggage`, baggage, "AuthResBaggage").ok).toBe(true);
  });
});

describe("closing the batch the capture, its credit and their reversals went into", () => {
  let request: Uint8Array;
  let response: Uint8Array;

  beforeAll(async () => {
    if (!state) throw new Error("no lab");
    // The lab merchant's BatchAdminReq, as its SDK builds it; the gateway's real answer.
    const sig = await pki.signer("visa/merchant/signature", p);
    const merchant = { ...sig, chain: [pki.certificate("visa/merchant/key-exchange"), ...(sig.chain ?? [])] };
    const rrpid = p.random(20);
    const date = wholeSeconds(new Date());
    const sealed = await sealBatchAdminReq(p, merchant, pki.certificate("visa/gateway/key-exchange"), {
      batchAdminRRTags: { rrpid, merTermIDs: { merchantID: "SETLAB-MER-0001" }, currentDate: date },
      batchID: 0,
      batchOperation: "close",
    });
    request = wrapMessage({ type: "batchAdministrationRequest", value: sealed }, { rrpid }, { date });
    response = await postSet(`${state.parties.gateway.url.replace(/\/$/, "")}/set`, request);
  });

  it("the BatchAdminReq and the gateway's BatchAdminRes decode under asn1Decoding as MessageWrapper", () => {
    for (const [name, bytes, alt] of [
      ["BatchAdminReq", request, "batchAdministrationRequest"],
      ["BatchAdminRes", response, "batchAdministrationResponse"],
    ] as const) {
      const v = scratch.asn1Decoding(`batch-${name}`, bytes, "MessageWrapper");
      expect(v.ok).toBe(true);
      expect(v.output).toMatch(new RegExp(`name:${alt}\\s+type:`));
    }
  });

  it("OpenSSL opens the BatchAdminReq with the gateway's key and verifies the merchant's signature over BatchAdminReqData", () => {
    const env = scratch.write("batchreq-env.der", bodyOf(request).value as Uint8Array);
    expect(cmsDecrypt(env, "visa/merchant/key-exchange", os.devNull).ok).toBe(false);
    expect(cmsDecrypt(env, "visa/gateway/key-exchange", "batchreq-sd.der").ok).toBe(true);
    const v = cmsVerify(scratch.path("batchreq-sd.der"), "visa", "batchreq-data.der");
    expect(v.output).toContain("Verification successful");
    const data = scratch.asn1Decoding(
      "BatchAdminReqData",
      scratch.read("batchreq-data.der"),
      "BatchAdminReqData",
    );
    expect(data.ok).toBe(true);
    // close(1), as libtasn1 prints an ENUMERATED
    expect(printed(data.output, "batchOperation")).toBe("0x01");
  });

  it("OpenSSL opens the BatchAdminRes with the merchant's key and verifies the gateway's signature over BatchAdminResData, totals included", () => {
    const env = scratch.write("batchres-env.der", bodyOf(response).value as Uint8Array);
    expect(cmsDecrypt(env, "visa/merchant/key-exchange", "batchres-sd.der").ok).toBe(true);
    const v = cmsVerify(scratch.path("batchres-sd.der"), "visa", "batchres-data.der");
    expect(v.output).toContain("Verification successful");
    const bytes = scratch.read("batchres-data.der");
    const data = scratch.asn1Decoding("BatchAdminResData", bytes, "BatchAdminResData");
    expect(data.ok).toBe(true);
    expect(printed(data.output, "batchAdminCode")).toBe("0x00");
    const ours = decodeDer(schema.BatchAdminResData, bytes);
    // the capture and its reversal, the credit and its reversal: four items, nothing left to pay
    expect(
      ours.batchTotals?.map((t) => [
        t.brandID,
        t.salesCount,
        t.salesAmount.amount,
        t.creditCount,
        t.creditAmount.amount,
      ]),
    ).toEqual([["Visa", 2, 0, 2, 0]]);
    expect(ours.batchStatus?.transactionCount).toBe(4);
  });
});

describe("the capture of the dual-signed purchase", () => {
  const capDer = (type: "CapReq" | "CapRes") => recordedDer(captureMessages, "capture", type);

  it("records its CapReq and CapRes, which decode under asn1Decoding as MessageWrapper", () => {
    expectRecordedWrappers(captureMessages, "cap", [
      ["CapReq", "captureRequest"],
      ["CapRes", "captureResponse"],
    ]);
  });

  it("OpenSSL opens the CapReq with the gateway's key and verifies the merchant's signature over L(CapReqData, CapTokenSeq)", async () => {
    const bytes = capDer("CapReq");
    const capReq = bodyOf(bytes).value as schema.CapReq;
    // MessageWrapper / [0] Message / [10] CapReq / [0] CapEncB / {envelope, capTokenSeq}
    const envelope = elementAt(bytes, 1, 0, 0, 0);
    const tokens = elementAt(bytes, 1, 0, 0, 1);
    expect(toHex(envelope)).toBe(toHex(capReq.value.envelope));
    const linkage = expectOpenedEncB(
      "capreq",
      "visa/gateway/key-exchange",
      "visa",
      envelope,
      tokens,
      ContentType.CapTokenSeq,
    );
    const data = scratch.asn1Decoding("CapReqData", elementAt(linkage, 0), "CapReqData");
    expect(data.ok).toBe(true);
    expect(printed(data.output, "xid")).toBe(run("dual-signed").result.order.xid?.toLowerCase());
    expect(scratch.asn1Decoding("CapTokenSeq", tokens, "CapTokenSeq").ok).toBe(true);
  });

  it("OpenSSL opens the CapToken with the gateway's key only, and verifies the gateway's signature over CapTokenData", () => {
    const capReq = bodyOf(capDer("CapReq")).value as schema.CapReq;
    const token = capReq.value.capTokenSeq[0];
    if (token.type !== "enc") throw new Error(`a CapToken of form ${token.type}`);
    const env = scratch.write("captoken-env.der", token.value);
    expect(cmsDecrypt(env, "visa/merchant/key-exchange", "captoken-nope.der").ok).toBe(false);
    expect(cmsDecrypt(env, "visa/gateway/key-exchange", "captoken-sd.der").ok).toBe(true);
    const v = cmsVerifyGatewayToken("captoken");
    expect(v.output).toContain("Verification successful");
    const data = scratch.asn1Decoding("CapTokenData", scratch.read("captoken-data.der"), "CapTokenData");
    expect(data.ok).toBe(true);
    const opaque = decodeDer(schema.CapTokenData, scratch.read("captoken-data.der")).tokenOpaque;
    const o = scratch.asn1Decoding("CapTokenOpaque", opaque, "CapTokenOpaque");
    expect(o.ok).toBe(true);
    expect(printed(o.output, "xid")).toBe(run("dual-signed").result.order.xid?.toLowerCase());
  });

  it("OpenSSL opens the CapRes with the merchant's key and verifies the gateway's signature over CapResData", () => {
    const capRes = bodyOf(capDer("CapRes")).value as Uint8Array;
    const env = scratch.write("capres-env.der", capRes);
    expect(cmsDecrypt(env, "visa/merchant/key-exchange", "capres-sd.der").ok).toBe(true);
    const v = cmsVerify(scratch.path("capres-sd.der"), "visa", "capres-data.der");
    expect(v.output).toContain("Verification successful");
    const data = scratch.asn1Decoding("CapResData", scratch.read("capres-data.der"), "CapResData");
    expect(data.ok).toBe(true);
    // CapCode success(0), as libtasn1 prints an ENUMERATED.
    expect(printed(data.output, "capCode")).toBe("0x00");
  });
});

describe("the credit, credit reversal and capture reversal of the dual-signed purchase", () => {
  const pairs = [
    ["CredReq", "creditRequest", "CredRes", "creditResponse"],
    ["CredRevReq", "creditReversalRequest", "CredRevRes", "creditReversalResponse"],
    ["CapRevReq", "captureReversalRequest", "CapRevRes", "captureReversalResponse"],
  ] as const;
  const der = (type: string) => {
    const m = capRevOrCredMessages.find((x) => x.type === type);
    if (!m) throw new Error(`no ${type} recorded`);
    return m.der;
  };

  it("records each request and answer, which decode under asn1Decoding as MessageWrapper", () => {
    expect(capRevOrCredMessages.map((m) => m.type)).toEqual(pairs.flatMap(([req, , res]) => [req, res]));
    for (const [req, reqAlt, res, resAlt] of pairs)
      for (const [type, alt] of [
        [req, reqAlt],
        [res, resAlt],
      ]) {
        const v = scratch.asn1Decoding(`crv-${type}`, der(type), "MessageWrapper");
        expect(v.ok).toBe(true);
        expect(v.output).toMatch(new RegExp(`name:${alt}\\s+type:`));
      }
  });

  it.each(pairs)(
    "OpenSSL opens the %s with the gateway's key and verifies the merchant's signature over L(CapRevOrCredReqData, CapTokenSeq)",
    (req) => {
      const bytes = der(req);
      // MessageWrapper / [0] Message / [n] request / [0] CapEncB / {envelope, capTokenSeq}
      const envelope = elementAt(bytes, 1, 0, 0, 0);
      const tokens = elementAt(bytes, 1, 0, 0, 1);
      const env = scratch.write(`${req}-env.der`, envelope);
      expect(cmsDecrypt(env, "visa/gateway/key-exchange", `${req}-sd.der`).ok).toBe(true);
      expect(cmsDecrypt(env, "visa/merchant/key-exchange", `${req}-nope.der`).ok).toBe(false);
      const v = cmsVerify(scratch.path(`${req}-sd.der`), "visa", `${req}-link.der`);
      expect(v.output).toContain("Verification successful");
      const linkage = scratch.read(`${req}-link.der`);
      const lv = scratch.asn1Decoding(`${req}-linkage`, linkage, "Linkage");
      expect(lv.ok).toBe(true);
      expect(printed(lv.output, "eContentType")).toBe(ContentType.CapTokenSeq);
      expect(printed(lv.output, "digest")).toBe(createHash("sha256").update(tokens).digest("hex"));
      const data = scratch.asn1Decoding(`${req}-data`, elementAt(linkage, 0), "CapRevOrCredReqData");
      expect(data.ok).toBe(true);
      expect(printed(data.output, "xid")).toBe(run("dual-signed").result.order.xid?.toLowerCase());
    },
  );

  it.each(pairs)(
    "OpenSSL opens the answer to the %s with the merchant's key and verifies the gateway's signature over CapRevOrCredResData",
    (_req, _alt, res) => {
      const env = scratch.write(`${res}-env.der`, bodyOf(der(res)).value as Uint8Array);
      expect(cmsDecrypt(env, "visa/merchant/key-exchange", `${res}-sd.der`).ok).toBe(true);
      const v = cmsVerify(scratch.path(`${res}-sd.der`), "visa", `${res}-data.der`);
      expect(v.output).toContain("Verification successful");
      const data = scratch.asn1Decoding(
        `${res}-data`,
        scratch.read(`${res}-data.der`),
        "CapRevOrCredResData",
      );
      expect(data.ok).toBe(true);
      // CapRevOrCredCode success(0), as libtasn1 prints an ENUMERATED.
      expect(printed(data.output, "capRevOrCredCode")).toBe("0x00");
    },
  );
});

describe("the reduction of the unsigned purchase's authorization", () => {
  const revDer = (type: "AuthRevReq" | "AuthRevRes") => recordedDer(reversalMessages, "reversal", type);

  it("records its AuthRevReq and AuthRevRes, which decode under asn1Decoding as MessageWrapper", () => {
    expectRecordedWrappers(reversalMessages, "rev", [
      ["AuthRevReq", "authReversalRequest"],
      ["AuthRevRes", "authReversalResponse"],
    ]);
  });

  it("OpenSSL opens the AuthRevReq with the gateway's key and verifies the merchant's signature over L(AuthRevReqData, AuthRevReqBaggage)", () => {
    const bytes = revDer("AuthRevReq");
    const req = bodyOf(bytes).value as schema.AuthRevReq;
    // MessageWrapper / [0] Message / [8] AuthRevReq / {envelope, baggage {PI, [0] CapToken}}
    const envelope = elementAt(bytes, 1, 0, 0, 0);
    const baggage = elementAt(bytes, 1, 0, 0, 1);
    expect(toHex(envelope)).toBe(toHex(req.authRevReqEnvelope));
    const linkage = expectOpenedEncB(
      "authrevreq",
      "mastercard/gateway/key-exchange",
      "mastercard",
      envelope,
      baggage,
      ContentType.AuthRevReqBaggage,
    );
    const data = scratch.asn1Decoding("AuthRevReqData", elementAt(linkage, 0), "AuthRevReqData");
    expect(data.ok).toBe(true);
    expect(printed(data.output, "xid")).toBe(run("unsigned").result.order.xid?.toLowerCase());
    expect(scratch.asn1Decoding("AuthRevReqBaggage", baggage, "AuthRevReqBaggage").ok).toBe(true);
    // The PI in the baggage is the AuthReq's, byte for byte.
    const authReq = bodyOf(der("unsigned", "AuthReq")).value as schema.AuthReq;
    expect(toHex(req.authRevReqBaggage.pi)).toBe(toHex(authReq.pi));
  });

  it("OpenSSL opens the AuthRevRes with the merchant's key and verifies the gateway's signature over L(AuthRevResData, AuthRevResBaggage)", () => {
    const bytes = revDer("AuthRevRes");
    // MessageWrapper / [0] Message / [9] AuthRevRes / {envelope, baggage {[0] CapToken}}
    const envelope = elementAt(bytes, 1, 0, 0, 0);
    const baggage = elementAt(bytes, 1, 0, 0, 1);
    const linkage = expectOpenedEncB(
      "authrevres",
      "mastercard/merchant/key-exchange",
      "mastercard",
      envelope,
      baggage,
      ContentType.AuthRevResBaggage,
    );
    const data = scratch.asn1Decoding("AuthRevResData", elementAt(linkage, 0), "AuthRevResData");
    expect(data.ok).toBe(true);
    // AuthRevCode approved(0), the new amount 5000, and the new CapToken in the baggage.
    expect(printed(data.output, "authRevCode")).toBe("0x00");
    expect(data.output).toMatch(/name:authResPayloadNew\s+type:/);
    const b = scratch.asn1Decoding("AuthRevResBaggage", baggage, "AuthRevResBaggage");
    expect(b.ok).toBe(true);
    expect(b.output).toMatch(/name:capTokenNew\s+type:/);
  });
});

describe("a split shipment's second part: the AuthReq whose PI is the AuthToken", () => {
  const subDer = (type: "AuthReq" | "AuthRes") =>
    recordedDer(subsequentMessages, "later authorization", type);

  it("records its AuthReq and AuthRes, which decode under asn1Decoding as MessageWrapper", () => {
    expectRecordedWrappers(subsequentMessages, "sub", [
      ["AuthReq", "authorizationRequest"],
      ["AuthRes", "authorizationResponse"],
    ]);
  });

  it("OpenSSL opens the AuthReq with the gateway's key and verifies the merchant's signature over L(AuthReqData, PI); the PI is the AuthToken and AuthReqData has no CheckDigests", () => {
    const authReq = bodyOf(subDer("AuthReq")).value as schema.AuthReq;
    const env = scratch.write("sub-authreq-env.der", authReq.authReqEnvelope);
    expect(cmsDecrypt(env, "visa/gateway/key-exchange", "sub-authreq-sd.der").ok).toBe(true);
    const v = cmsVerify(scratch.path("sub-authreq-sd.der"), "visa", "sub-authreq-link.der");
    expect(v.output).toContain("Verification successful");
    const linkage = scratch.read("sub-authreq-link.der");
    const lv = scratch.asn1Decoding("sub-authreq-linkage", linkage, "Linkage");
    expect(lv.ok).toBe(true);
    expect(printed(lv.output, "eContentType")).toBe(ContentType.PI);
    expect(printed(lv.output, "digest")).toBe(createHash("sha256").update(authReq.pi).digest("hex"));
    const data = scratch.asn1Decoding("sub-AuthReqData", elementAt(linkage, 0), "AuthReqData");
    expect(data.ok).toBe(true);
    expect(data.output).not.toMatch(/name:checkDigests\s+type:SEQUENCE/);
    const pi = scratch.asn1Decoding("sub-PI", authReq.pi, "PI");
    expect(pi.ok).toBe(true);
    expect(pi.output).toMatch(/name:authToken\s+type:/);
  });

  it("OpenSSL opens the AuthToken with the gateway's key only, and verifies the gateway's signature over AuthTokenData", () => {
    const authReq = bodyOf(subDer("AuthReq")).value as schema.AuthReq;
    const pi = decodeDer(schema.PI, authReq.pi);
    if (pi.type !== "authToken" || pi.value.type !== "enc") throw new Error(`a PI of form ${pi.type}`);
    const env = scratch.write("authtoken-env.der", pi.value.value);
    expect(cmsDecrypt(env, "visa/merchant/key-exchange", "authtoken-nope.der").ok).toBe(false);
    expect(cmsDecrypt(env, "visa/gateway/key-exchange", "authtoken-sd.der").ok).toBe(true);
    const v = cmsVerifyGatewayToken("authtoken");
    expect(v.output).toContain("Verification successful");
    const data = scratch.asn1Decoding("AuthTokenData", scratch.read("authtoken-data.der"), "AuthTokenData");
    expect(data.ok).toBe(true);
    expect(printed(data.output, "merchantID")).toBeDefined();
    const opaque = decodeDer(schema.AuthTokenData, scratch.read("authtoken-data.der")).authTokenOpaque;
    expect(scratch.asn1Decoding("AuthTokenOpaque", opaque ?? new Uint8Array(0), "AuthTokenOpaque").ok).toBe(
      true,
    );
  });

  it("OpenSSL opens the AuthRes with the merchant's key; its baggage carries the next AuthToken and a CapToken", async () => {
    const authRes = bodyOf(subDer("AuthRes")).value as schema.AuthRes;
    const env = scratch.write("sub-authres-env.der", authRes.value.authResEnvelope);
    expect(cmsDecrypt(env, "visa/merchant/key-exchange", "sub-authres-sd.der").ok).toBe(true);
    const v = cmsVerify(scratch.path("sub-authres-sd.der"), "visa", "sub-authres-link.der");
    expect(v.output).toContain("Verification successful");
    const baggage = scratch.asn1Decoding(
      "sub-AuthResBaggage",
      encodeDer(schema.AuthResBaggage, authRes.value.authResBaggage),
      "AuthResBaggage",
    );
    expect(baggage.ok).toBe(true);
    expect(baggage.output).toMatch(/name:authToken\s+type:/);
    expect(baggage.output).toMatch(/name:capToken\s+type:/);
  });
});

describe("the card's inquiry about its hardened purchase, and the merchant's fetch of the gateway's certificate", () => {
  const inqDer = (type: "InqReq" | "InqRes") => {
    const m = inquiryMessages.find((x) => x.type === type);
    if (!m) throw new Error(`the inquiry recorded no ${type}`);
    return m.der;
  };

  it("records its InqReq and InqRes, which decode under asn1Decoding as MessageWrapper", () => {
    expect(inquiryMessages.map((m) => m.type)).toEqual(["InqReq", "InqRes"]);
    for (const [type, alt] of [
      ["InqReq", "inquiryRequest"],
      ["InqRes", "inquiryResponse"],
    ] as const) {
      const v = scratch.asn1Decoding(`inq-${type}`, inqDer(type), "MessageWrapper");
      expect(v.ok).toBe(true);
      expect(v.output).toMatch(new RegExp(`name:${alt}\\s+type:`));
    }
  });

  it("OpenSSL verifies the cardholder's signature over InqReqData, which decodes under asn1Decoding", () => {
    // MessageWrapper / [0] Message / [4] InqReq / [0] inqReqSigned / SignedData
    const signed = scratch.write("inqreq-sd.der", elementAt(inqDer("InqReq"), 1, 0, 0, 0));
    const v = cmsVerify(signed, "visa", "inqreq-data.der");
    expect(v.output).toContain("Verification successful");
    const data = scratch.asn1Decoding("InqReqData", scratch.read("inqreq-data.der"), "InqReqData");
    expect(data.ok).toBe(true);
    expect(printed(data.output, "xid")).toBe(run("hardened").result.order.xid?.toLowerCase());
  });

  it("OpenSSL verifies the merchant's signature over the InqRes's PResData: authorizationPerformed", () => {
    const signed = scratch.write("inqres-sd.der", bodyOf(inqDer("InqRes")).value as Uint8Array);
    const v = cmsVerify(signed, "visa", "inqres-data.der");
    expect(v.output).toContain("Verification successful");
    const data = scratch.asn1Decoding("InqRes-PResData", scratch.read("inqres-data.der"), "PResData");
    expect(data.ok).toBe(true);
    // CompletionCode authorizationPerformed(4), as libtasn1 prints an ENUMERATED.
    expect(printed(data.output, "completionCode")).toBe("0x04");
  });

  it("PCertReq and PCertRes decode under asn1Decoding; OpenSSL verifies both signatures, the PCertRes carrying the gateway's key-exchange certificate", () => {
    if (!pCert) throw new Error("no PCertReq was sent");
    expect(scratch.asn1Decoding("PCertReq", pCert.req, "MessageWrapper").output).toMatch(
      /name:pCertificateRequest\s+type:/,
    );
    const res = scratch.asn1Decoding("PCertRes", pCert.res, "MessageWrapper");
    expect(res.ok).toBe(true);
    expect(res.output).toMatch(/name:pCertificateResponse\s+type:/);
    const req = cmsVerify(
      scratch.write("pcertreq-sd.der", bodyOf(pCert.req).value as Uint8Array),
      "visa",
      "pcertreq-data.der",
    );
    expect(req.output).toContain("Verification successful");
    expect(scratch.asn1Decoding("PCertReqData", scratch.read("pcertreq-data.der"), "PCertReqData").ok).toBe(
      true,
    );
    const sd = scratch.write("pcertres-sd.der", bodyOf(pCert.res).value as Uint8Array);
    expect(cmsVerify(sd, "visa", "pcertres-tbs.der").output).toContain("Verification successful");
    const tbs = scratch.asn1Decoding("PCertResTBS", scratch.read("pcertres-tbs.der"), "PCertResTBS");
    expect(tbs.ok).toBe(true);
    expect(printed(tbs.output, "pCertCode")).toBe("0x00");
    const certs = scratch.openssl("pkcs7", "-inform", "DER", "-in", sd, "-print_certs", "-noout");
    expect(certs.output).toMatch(/subject=.*Visa.*[Gg]ateway/);
  });
});

/** PI-TBS as the merchant can rebuild it: {hPIData from OIDualSigned, DD(OIData)}. */
async function piTbsOf(preq: schema.PReqDualSigned, oiData: schema.OIData): Promise<Uint8Array> {
  const hOIData = await DD(p, encodeDer(schema.OIData, oiData), ContentType.OIData);
  return encodeDer(schema.PI_TBS, { hPIData: preq.oiDualSigned.hPIData, hOIData });
}

describe("a SET Error the merchant sends", () => {
  it("is recorded with the order after the refused PInitReq", () => {
    expect(errorCapture.map((m) => m.type)).toEqual(["PInitReq", "Error"]);
  });

  it("decodes under asn1Decoding as MessageWrapper, with its ErrorTBS, as does the refused PInitReq", async () => {
    const refused = errorCapture[0]?.der ?? new Uint8Array(0);
    const refusedVerdict = scratch.asn1Decoding("refused-PInitReq", refused, "MessageWrapper");
    expect(refusedVerdict.ok).toBe(true);
    expect(refusedVerdict.output).toMatch(/name:purchaseInitRequest\s+type:/);
    const bytes = errorCapture[1]?.der ?? new Uint8Array(0);
    const v = scratch.asn1Decoding("Error", bytes, "MessageWrapper");
    expect(v.ok).toBe(true);
    expect(v.output).toMatch(/name:error\s+type:/);
    expect(v.output).toMatch(/name:unsignedError\s+type:/);
    // MessageWrapper / [0] Message / [999] Error / [1] unsignedError / ErrorTBS
    const tbs = elementAt(bytes, 1, 0, 0, 0);
    expect(scratch.asn1Decoding("ErrorTBS", tbs, "ErrorTBS").ok).toBe(true);
    const body = bodyOf(bytes);
    if (body.type !== "error") throw new Error(`captured ${body.type}, not an Error`);
    expect((await readError(p, body.value)).code).toBe("unknownRRPID");
  });
});

describe("the oracles can say no", () => {
  const pRes = () => bodyOf(der("dual-signed", "PRes")).value as Uint8Array;
  /** Each refusal below is measured against the same command accepting the untouched bytes. */
  const verifiesAsCaptured = (name: string, sd: Uint8Array) => {
    const v = cmsVerify(scratch.write(`${name}-as-captured.der`, sd), "visa", os.devNull);
    expect(v.output).toContain("Verification successful");
  };

  it("OpenSSL refuses a PRes whose signed PResData has one byte flipped (digest mismatch)", async () => {
    const sd = pRes();
    verifiesAsCaptured("pres-content", sd);
    const signed = (await verifyS(p, sd, { contentType: ContentType.PResData })).content;
    const at = offsetOf(sd, signed) + Math.floor(signed.length / 2);
    const v = cmsVerify(scratch.write("pres-flipped.der", flipped(sd, at)), "visa", os.devNull);
    expect(v.ok).toBe(false);
    expect(v.output).toContain("Verification failure");
    expect(v.output).toContain("content verify error");
  });

  it("OpenSSL refuses a PRes whose signature value has one byte flipped", () => {
    const sd = pRes();
    verifiesAsCaptured("pres-signature", sd);
    const v = cmsVerify(scratch.write("pres-sigflip.der", flipped(sd, sd.length - 10)), "visa", os.devNull);
    expect(v.ok).toBe(false);
    expect(v.output).toContain("Verification failure");
    expect(v.output).toContain("CMS_SignerInfo_verify:verification failure");
  });

  it("OpenSSL refuses the PRes under a root that is not the lab's", () => {
    const file = scratch.write("pres-foreign.der", pRes());
    const args = (root: string) => ["cms", "-verify", "-inform", "DER", "-in", file, "-CAfile", root];
    const rest = ["-purpose", "any", "-ignore_critical", "-out", os.devNull];
    expect(scratch.openssl(...args("root.pem"), ...rest).ok).toBe(true);
    const v = scratch.openssl(...args(foreignRoot), ...rest);
    expect(v.ok).toBe(false);
    expect(v.output).toMatch(/unable to get (local )?issuer certificate/);
  });

  it("OpenSSL refuses SET's critical certificate extensions unless told to ignore them (docs/interop.md)", () => {
    const file = scratch.write("pres-critical.der", pRes());
    const args = ["cms", "-verify", "-inform", "DER", "-in", file, "-CAfile", "root.pem", "-certfile"];
    const rest = ["visa-certs.pem", "-purpose", "any", "-out", os.devNull];
    expect(scratch.openssl(...args, ...rest, "-ignore_critical").ok).toBe(true);
    const v = scratch.openssl(...args, ...rest);
    expect(v.ok).toBe(false);
    expect(v.output).toContain("unhandled critical extension");
  });

  it("OpenSSL cannot open the AuthReq with the merchant's own key", () => {
    const authReq = bodyOf(der("dual-signed", "AuthReq")).value as schema.AuthReq;
    const env = scratch.write("authreq-wrongkey.der", authReq.authReqEnvelope);
    expect(cmsDecrypt(env, "visa/gateway/key-exchange", os.devNull).ok).toBe(true);
    const v = cmsDecrypt(env, "visa/merchant/key-exchange", os.devNull);
    expect(v.ok).toBe(false);
    expect(v.output).toContain("Error decrypting CMS");
  });

  it("asn1Decoding and our decoder refuse a truncated PRes", () => {
    const whole = der("dual-signed", "PRes");
    expect(scratch.asn1Decoding("PRes-whole", whole, "MessageWrapper").ok).toBe(true);
    const truncated = whole.subarray(0, whole.length - 1);
    const v = scratch.asn1Decoding("PRes-truncated", truncated, "MessageWrapper");
    expect(v.ok).toBe(false);
    expect(v.output).not.toContain("Decoding: SUCCESS");
    expect(() => schema.decodeMessage(truncated)).toThrow(SetError);
  });

  it("asn1Decoding refuses a captured PReq offered as a PI", () => {
    const v = scratch.asn1Decoding("PReq-as-PI", der("dual-signed", "PReq"), "PI");
    expect(v.ok).toBe(false);
    expect(v.output).not.toContain("Decoding: SUCCESS");
  });
});
