import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  nodeProvider,
  parseSetCertificate,
  receivePCertReq,
  type Signer,
  schema,
  signPCertRes,
  wrapMessage,
} from "@setlab/protocol";
import {
  cachedTestKeyPair,
  createTestParty,
  createTestPki,
  type TestParty,
  type TestPki,
} from "@setlab/protocol/testing";
import { closedAtEnd } from "@setlab/runtime/testing";
import Fastify from "fastify";
import { merchantPlugin } from "../plugin";
import { SqliteRepository } from "../store/sqliteRepository";
import { testMerchantConfig } from "../testing/testMerchantConfig";
import { type GatewayClient, GatewayUnreachableError } from "./gatewayClient";
import { Merchant } from "./merchant";

const p = nodeProvider();
let pki: TestPki;
let dir: string;
let renewed: TestParty;
let n = 0;

beforeAll(async () => {
  pki = await createTestPki(p);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "merchant-pcert-"));
  // The gateway's next key-exchange certificate: the same gateway (subject, CA), a new certificate.
  renewed = await createTestParty(
    pki.gatewayCa,
    {
      name: "Visa Payment Gateway",
      roles: ["pgwy"],
      use: "keyEncipherment",
      brand: "Visa",
      keys: await cachedTestKeyPair("gatewayKex", "keyEncipherment"),
    },
    p,
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A gateway that answers PCertReq naming `kex` (carried with `carry`), signed by `signer`. */
function certificateGateway(
  kex: () => Uint8Array,
  signer: () => Signer = () => gatewaySigner(),
): GatewayClient & {
  asked: number;
} {
  const g = {
    asked: 0,
    async send(_id: string, message: Uint8Array) {
      g.asked++;
      const received = await receivePCertReq(p, message, {
        trust: { pinnedRoot: pki.root.certificate, at: new Date() },
        now: new Date(),
      });
      const thumbprint = await parseSetCertificate(kex()).thumb();
      const data: schema.PCertResTBS = {
        pCertRRTags: received.data.pCertRRTags,
        pCertResItems: [
          {
            pCertCode: "success",
            certThumb: { digestAlgorithm: { algorithm: schema.Std.sha256 }, thumbprint },
          },
        ],
      };
      const s = signer();
      const value = await signPCertRes(p, { ...s, chain: [...(s.chain ?? []), kex()] }, data);
      return wrapMessage(
        { type: "pCertificateResponse", value },
        { rrpid: data.pCertRRTags.rrpid },
        { date: new Date() },
      );
    },
  };
  return g;
}

const gatewaySigner = (): Signer => ({
  certificate: pki.gatewaySig.certificate,
  privateKey: pki.gatewaySig.privateKey,
  chain: pki.intermediatesOf("gatewaySig"),
});

const merchantWith = (gateway: GatewayClient) =>
  new Merchant({
    p,
    repo: closedAtEnd(new SqliteRepository(path.join(dir, `g${++n}.db`))),
    config: testMerchantConfig(pki),
    gateway,
  });

describe("merchant: the gateway's certificates fetched (PCertReq/PCertRes)", () => {
  test("the gateway's renewed key-exchange certificate replaces the configured one", async () => {
    const gateway = certificateGateway(() => renewed.certificate);
    const merchant = merchantWith(gateway);
    const [report] = await merchant.refreshGatewayCertificates();
    expect(report.reason).toBeUndefined();
    expect(report).toMatchObject({ brandID: "Visa", result: "fetched" });
    expect(merchant.config.brands[0].gateway.certificate).toEqual(renewed.certificate);
    expect(gateway.asked).toBe(1);
  });

  test("a non-gateway certificate offered as the gateway's: the configured one stays", async () => {
    const merchant = merchantWith(certificateGateway(() => pki.merchantKex.certificate));
    const [report] = await merchant.refreshGatewayCertificates();
    expect(report.result).toBe("kept");
    expect(report.reason).toMatch(/invalidCertificate/);
    expect(merchant.config.brands[0].gateway.certificate).toEqual(pki.gatewayKex.certificate);
  });

  test("a PCertRes signed by someone else than a gateway: the configured one stays", async () => {
    const merchantSigner = (): Signer => ({
      certificate: pki.merchantSig.certificate,
      privateKey: pki.merchantSig.privateKey,
      chain: pki.intermediatesOf("merchantSig"),
    });
    const merchant = merchantWith(certificateGateway(() => renewed.certificate, merchantSigner));
    const [report] = await merchant.refreshGatewayCertificates();
    expect(report.result).toBe("kept");
    expect(merchant.config.brands[0].gateway.certificate).toEqual(pki.gatewayKex.certificate);
  });

  test("a gateway that cannot be reached: the configured one stays, the reason is reported", async () => {
    const down: GatewayClient = {
      send: async () => {
        throw new GatewayUnreachableError("connection refused");
      },
    };
    const merchant = merchantWith(down);
    const [report] = await merchant.refreshGatewayCertificates();
    expect(report).toMatchObject({ result: "kept", reason: "connection refused" });
    expect(merchant.config.brands[0].gateway.certificate).toEqual(pki.gatewayKex.certificate);
  });

  test.each([true, false])(
    "the plugin fetches them when the app is ready only when asked (fetchGatewayCertificates: %s)",
    async (fetch) => {
      const merchant = merchantWith(certificateGateway(() => renewed.certificate));
      const refresh = jest.spyOn(merchant, "refreshGatewayCertificates");
      const app = Fastify();
      await app.register(merchantPlugin, {
        merchant,
        settleEveryMs: false,
        resumeOnReady: false,
        fetchGatewayCertificates: fetch,
      });
      await app.ready();
      try {
        expect(refresh).toHaveBeenCalledTimes(fetch ? 1 : 0);
        if (fetch) await refresh.mock.results[0].value;
        expect(merchant.config.brands[0].gateway.certificate).toEqual(
          fetch ? renewed.certificate : pki.gatewayKex.certificate,
        );
      } finally {
        await app.close();
        await merchant.close();
      }
    },
  );
});
