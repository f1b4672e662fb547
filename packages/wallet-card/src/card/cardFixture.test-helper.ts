/** A personalized card on a real (temporary) phone data directory, over a real test PKI. */
import * as nodeCrypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  type CardDataType,
  type CardDataValue,
  CardLinkError,
  type CardResponse,
  decodeCardData,
  decodeResponse,
  encodeCardData,
  encodeCommand,
  INS,
  nodeProvider,
  type PInitRequestInput,
  type PurchaseInput,
  parseSetCertificate,
  peculiarProvider,
  thumbOf,
} from "@setlab/protocol";
import { createTestPki, PAN19, revocationFixture, type TestPki } from "@setlab/protocol/testing";
import { defaultKdf, type KdfParams } from "../phone/cardSealing";
import { loadCard, writeCard } from "../phone/cardStore";
import { CardApplet, type CardSession } from "./applet";
import type { Card } from "./cardData";
import { autoApprove, type ConfirmationPolicy } from "./confirmation";
import { MerchantDouble } from "./merchantDouble.test-helper";
import { pinDigest } from "./pin";

export const CARD_ID = "visa-test";
export const PIN = "1234";
export const PAN = PAN19;
export const PAN_SECRET = new Uint8Array(20).fill(0x5a);

let shared: Promise<TestPki> | undefined;
export const testPki = () => {
  shared ??= createTestPki(nodeProvider());
  return shared;
};

/** The test brand's BCI and a CRL per CA, none revoked: what a merchant's PInitRes carries. */
let sharedRevocation: Promise<{ bci: Uint8Array; crls: Uint8Array[] }> | undefined;
export const testRevocation = () => {
  sharedRevocation ??= testPki().then((pki) => revocationFixture(nodeProvider(), pki));
  return sharedRevocation;
};

export interface CardFixture {
  pki: TestPki;
  dataDir: string;
  card: Card;
  applet: CardApplet;
  session: CardSession;
  merchant: MerchantDouble;
  send(ins: number, data?: Uint8Array | string | object, p1?: number): Promise<CardResponse>;
  /** Reload the card from the data directory, as a restarted phone does. */
  restart(confirm?: ConfirmationPolicy): Promise<void>;
  cleanup(): void;
}

/** Command data: bytes as they are, a string as UTF-8, an object as the command's SetLabCard.asn type. */
const asBytes = (ins: number, data: Uint8Array | string | object | undefined) =>
  data === undefined
    ? undefined
    : data instanceof Uint8Array
      ? data
      : typeof data === "string"
        ? new TextEncoder().encode(data)
        : ins === INS.PURCHASE
          ? encodeCardData("PurchaseInput", data as PurchaseInput)
          : encodeCardData("PInitRequestInput", data as PInitRequestInput);

export interface CardFixtureOptions {
  /** The card's pinned gateway thumbprints; default the test PKI's gateway key-exchange certificate. */
  readonly gatewayThumbs?: readonly Uint8Array[];
  /**
   * Key derivation of the card file. Default: one salt for every fixture of the test process at
   * the lowest accepted cost, so scrypt runs once per process (a real phone draws a salt per card).
   */
  readonly kdf?: KdfParams;
  /** Another PKI than the shared test PKI (its own revocation fixture is made for it). */
  readonly pki?: TestPki;
}

const sharedKdf: KdfParams = { ...defaultKdf(), N: 2 ** 14 };

/**
 * The data directories this test file's fixtures made. A test that replaces its fixture without
 * `cleanup()` (or fails before it) would leave one behind, holding a card file and a key; every
 * one is removed when the file ends.
 */
const dataDirs = new Set<string>();
afterAll(() => {
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
  dataDirs.clear();
});

export async function cardFixture(
  confirm: ConfirmationPolicy = autoApprove,
  options: CardFixtureOptions = {},
): Promise<CardFixture> {
  const pki = options.pki ?? (await testPki());
  const p = peculiarProvider();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-phone-"));
  dataDirs.add(dataDir);
  const pinSalt = new Uint8Array(16).fill(7);
  const keyPem = nodeCrypto
    .createPrivateKey(pki.cardholder.privateKeyPem)
    .export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "setlab" })
    .toString();
  writeCard(
    dataDir,
    {
      cardId: CARD_ID,
      brand: "Visa",
      pan: PAN,
      expiry: "202912",
      panSecret: PAN_SECRET,
      cardSecret: new Uint8Array(20).fill(0x33),
      language: "en",
      certificate: pki.cardholder.certificate,
      chain: pki.intermediatesOf("cardholder"),
      root: pki.root.certificate,
      gatewayThumbs: options.gatewayThumbs ?? [
        await thumbOf(p, parseSetCertificate(pki.gatewayKex.certificate)),
      ],
      pinSalt,
      pinDigest: await pinDigest(p, pinSalt, PIN),
    },
    keyPem,
    "setlab",
    options.kdf ?? sharedKdf,
  );
  const fixture = {
    pki,
    dataDir,
    merchant: new MerchantDouble(nodeProvider(), {
      signer: {
        certificate: pki.merchantSig.certificate,
        privateKey: pki.merchantSig.privateKey,
        chain: pki.intermediatesOf("merchantSig"),
      },
      gatewayKex: { certificate: pki.gatewayKex.certificate, chain: pki.intermediatesOf("gatewayKex") },
      root: pki.root.certificate,
      revocation: options.pki ? await revocationFixture(nodeProvider(), pki) : await testRevocation(),
    }),
    async restart(policy: ConfirmationPolicy = confirm) {
      fixture.card = await loadCard(p, dataDir, CARD_ID);
      fixture.applet = new CardApplet([fixture.card], { p, confirm: policy });
      fixture.session = fixture.applet.openSession();
    },
    async send(ins: number, data?: Uint8Array | string | object, p1 = 0) {
      const response = await fixture.session.transmit(encodeCommand({ ins, p1, data: asBytes(ins, data) }));
      return decodeResponse(response);
    },
    cleanup: () => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      dataDirs.delete(dataDir);
    },
  } as CardFixture;
  await fixture.restart();
  return fixture;
}

export const text = (r: CardResponse) => new TextDecoder().decode(r.data);
/** An answer's data read as its SetLabCard.asn type. */
export const answerOf = <K extends CardDataType>(type: K, r: CardResponse): CardDataValue<K> =>
  decodeCardData(type, r.data);

/** The SET ErrorCode of a 6F00 answer. */
export const failureOf = (r: CardResponse) => decodeCardData("SetCheckFailure", r.data).errorCode;

export function expectSw(r: CardResponse, sw: number) {
  if (r.sw !== sw)
    throw new CardLinkError(r.sw, `expected SW ${sw.toString(16)}, got ${r.sw.toString(16)}: ${text(r)}`);
}

/** Whether `needle` occurs in `haystack`. */
export const contains = (haystack: Uint8Array, needle: Uint8Array) =>
  Buffer.from(haystack).indexOf(Buffer.from(needle)) >= 0;
