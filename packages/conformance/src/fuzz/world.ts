/**
 * The real parties the fuzzers talk to, in-process: a lab PKI made by `set-ca init` in a temp
 * directory, the merchant and gateway fastify apps over real SQLite files (their payment apps and
 * their admin apps, whose requests carry the admin token), the CA app over the PKI directory, and a
 * personalized card applet. `purchase()` runs one full purchase through them and
 * returns every message of it: the valid corpus, and the health check after a target.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  accountsFrom,
  buildGatewayAdminServer,
  buildGatewayServer,
  enrolledMerchantsFrom,
  Gateway,
  GatewayStore,
  gatewayKeysFrom,
  intermediatesFrom,
} from "@setlab/acquirer-server";
import { buildCaServer, PkiDirectory, pkiBackend } from "@setlab/ca";
import {
  buildMerchantAdminServer,
  buildMerchantServer,
  HttpGatewayClient,
  labMerchantConfig,
  Merchant,
  SqliteRepository,
} from "@setlab/merchant-server";
import {
  type CryptoProvider,
  decodeCardData,
  decodeResponse,
  encodeCardData,
  encodeCommand,
  INS,
  nodeProvider,
  type PurchaseProfile,
  type schema,
  ValidatedChainCache,
} from "@setlab/protocol";
import { adminHeaders, createLogger, httpRequest, LabPki, labPassphrase, SET_PAYMENT } from "@setlab/runtime";
import { seedLabPki } from "@setlab/runtime/testing";
import { autoApprove, CardApplet, loadCard, personalize } from "@setlab/wallet-card";

/** A fastify app as the parties build it. */
type FastifyInstance = ReturnType<typeof buildMerchantServer>;

export const repoRoot = path.resolve(__dirname, "../../../..");
export const CARD_ID = "visa-approve";
export const CARD_PIN = "1234";

export interface HttpRequest {
  method: "GET" | "POST" | "PUT" | "DELETE";
  url: string;
  headers?: Record<string, string>;
  payload?: Buffer | string;
}

export interface HttpAnswer {
  status: number;
  type: string;
  body: Buffer;
}

/** One party's app, reached in-process (`inject`) or over loopback (`fetch`, for jest). */
export interface Party {
  readonly app: FastifyInstance;
  request(r: HttpRequest): Promise<HttpAnswer>;
}

export type Transport = "inject" | "fetch";

/** `headers` go with every request unless the request names them itself. */
async function party(
  app: FastifyInstance,
  transport: Transport,
  headers: Record<string, string> = {},
): Promise<Party> {
  if (transport === "inject") {
    await app.ready();
    return {
      app,
      async request(r) {
        const res = await app.inject({
          method: r.method,
          url: r.url,
          headers: { ...headers, ...r.headers },
          payload: r.payload,
        });
        return {
          status: res.statusCode,
          type: String(res.headers["content-type"] ?? ""),
          body: res.rawPayload,
        };
      },
    };
  }
  const base = await app.listen({ port: 0, host: "127.0.0.1" });
  return {
    app,
    // The parties' own client (keep-alive connections dropped after 4 s idle, long before the
    // server's 30 s): fetch's pool could hand a connection the server was closing as this process
    // came back from a long synchronous run of decoder fuzzing, and a POST on it fails before it
    // reaches the party, which is no fault of the party's.
    async request(r) {
      const res = await httpRequest(`${base}${r.url}`, {
        method: r.method,
        headers: { ...headers, ...r.headers },
        ...(r.payload === undefined ? {} : { body: r.payload }),
        timeoutMs: 30_000,
        maxResponseBytes: 64 * 1024 * 1024,
      });
      return { status: res.status, type: String(res.headers["content-type"] ?? ""), body: res.body };
    },
  };
}

/** Every message of one purchase, as the parties exchanged them. */
export interface PurchaseCapture {
  readonly orderId: number;
  readonly xid?: string;
  readonly pInitReq: Uint8Array;
  readonly pInitRes: Uint8Array;
  readonly pReq: Uint8Array;
  readonly authReq: Uint8Array;
  readonly authRes: Uint8Array;
  readonly pRes: Uint8Array;
  readonly completionCode: string;
  /** The card commands of the purchase, encoded. */
  readonly commands: Uint8Array[];
}

export interface World {
  readonly dir: string;
  readonly pkiDir: string;
  readonly pki: LabPki;
  readonly p: CryptoProvider;
  readonly merchant: Party;
  readonly gateway: Party;
  /** The back office and admin routes; their requests carry `adminToken`. */
  readonly merchantAdmin: Party;
  readonly gatewayAdmin: Party;
  readonly adminToken: string;
  readonly ca: Party;
  /** The CA operator's token: issuance requests carry it as a bearer token. */
  readonly caOperatorToken: string;
  readonly gatewayStore: GatewayStore;
  readonly applet: CardApplet;
  /** A full purchase with the personalized card; throws when it does not end approved. */
  purchase(amount?: number): Promise<PurchaseCapture>;
  /** A freshly personalized card (after a target blocked its PIN). */
  resetCard(): Promise<CardApplet>;
  close(): Promise<void>;
}

/** The lab PKI in `dir/pki`: `set-ca init`, or under jest a copy of the test run's one. */
export function makeLabPki(dir: string): string {
  return seedLabPki(path.join(dir, "pki"));
}

export async function createWorld(options: { transport?: Transport; dir?: string } = {}): Promise<World> {
  const transport = options.transport ?? "inject";
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "setlab-fuzz-"));
  const pkiDir = makeLabPki(dir);
  const pki = LabPki.open(pkiDir);
  const p = nodeProvider();
  const logger = createLogger("fuzz", { level: "silent" });

  const gatewayStore = GatewayStore.open(path.join(dir, "gateway.db"));
  gatewayStore.seedAccounts(accountsFrom(pki));
  const gatewayCore = new Gateway({
    provider: p,
    keys: await gatewayKeysFrom(pki, p, labPassphrase),
    trust: {
      pinnedRoot: pki.root(),
      intermediates: intermediatesFrom(pki),
      chainCache: new ValidatedChainCache(),
    },
    store: gatewayStore,
    enrolled: enrolledMerchantsFrom(pki),
  });
  const gateway = await party(buildGatewayServer({ gateway: gatewayCore, logger }), transport);
  const adminToken = randomBytes(32).toString("base64url");
  const asAdmin = adminHeaders(adminToken);
  const gatewayAdmin = await party(
    buildGatewayAdminServer({ store: gatewayStore, token: adminToken }),
    transport,
    asAdmin,
  );

  const captured: { auth?: { authReq: Uint8Array; authRes: Uint8Array } } = {};
  const readCaptured = () => captured.auth;
  const repo = new SqliteRepository(path.join(dir, "merchant.db"));
  const merchantCore = new Merchant({
    p,
    repo,
    config: await labMerchantConfig(p, pki, { brands: ["Visa", "MasterCard"] }),
    gateway: {
      async send(_id, message) {
        const answer = await gateway.request({
          method: "POST",
          url: "/set",
          headers: { "content-type": SET_PAYMENT },
          payload: Buffer.from(message),
        });
        if (answer.status !== 200) throw new Error(`gateway answered HTTP ${answer.status}`);
        captured.auth = { authReq: message, authRes: new Uint8Array(answer.body) };
        return new Uint8Array(answer.body);
      },
    },
  });
  void HttpGatewayClient; // the real merchant uses HTTP; here the gateway is reached in-process
  const merchant = await party(
    buildMerchantServer({ merchant: merchantCore, logger, publicUrl: "http://127.0.0.1:8401" }),
    transport,
  );
  const merchantAdmin = await party(
    buildMerchantAdminServer({ merchant: merchantCore, logger, token: adminToken }),
    transport,
    asAdmin,
  );

  const caPki = await PkiDirectory.open(pkiDir, labPassphrase);
  const caOperatorToken = randomBytes(24).toString("base64url");
  const ca = await party(buildCaServer(pkiBackend(caPki), { operatorToken: caOperatorToken }), transport);

  let cards = 0;
  const newApplet = async () => {
    const cardDir = path.join(dir, `phone-${cards++}`);
    await personalize(pki, cardDir, { cards: [CARD_ID], pin: CARD_PIN });
    return new CardApplet([await loadCard(p, cardDir, CARD_ID)], { p, confirm: autoApprove });
  };
  let applet = await newApplet();

  const world: World = {
    dir,
    pkiDir,
    pki,
    p,
    merchant,
    gateway,
    merchantAdmin,
    gatewayAdmin,
    adminToken,
    ca,
    caOperatorToken,
    gatewayStore,
    get applet() {
      return applet;
    },
    async resetCard() {
      applet = await newApplet();
      return applet;
    },
    async purchase(amount = 1280) {
      const commands: Uint8Array[] = [];
      const session = applet.openSession();
      const card = async (ins: number, data?: Uint8Array) => {
        const command = encodeCommand({ ins, data });
        commands.push(command);
        const r = decodeResponse(await session.transmit(command));
        if (r.sw !== 0x9000)
          throw new Error(
            `card answered ${r.sw.toString(16)} to ${ins.toString(16)}: ${Buffer.from(r.data).toString()}`,
          );
        return r.data;
      };
      const post = async (body: Uint8Array) => {
        const a = await merchant.request({
          method: "POST",
          url: "/set",
          headers: { "content-type": SET_PAYMENT },
          payload: Buffer.from(body),
        });
        if (a.status !== 200) throw new Error(`merchant answered HTTP ${a.status}`);
        return new Uint8Array(a.body);
      };
      const created = await merchantAdmin.request({
        method: "POST",
        url: "/orders",
        headers: { "content-type": "application/json" },
        payload: JSON.stringify({ description: "fuzz corpus order: 2 x tea", amount, currency: 392 }),
      });
      if (created.status !== 201) throw new Error(`POST /orders answered ${created.status}`);
      const order = JSON.parse(created.body.toString()) as { id: number; lidM: string };
      const init = JSON.parse(
        (await merchant.request({ method: "GET", url: `/orders/${order.id}/initiation` })).body.toString(),
      ) as { lidM: string; od: string; purchAmt: schema.CurrencyAmount; profile: PurchaseProfile };
      await card(INS.SELECT, new TextEncoder().encode(CARD_ID));
      await card(INS.VERIFY_PIN, new TextEncoder().encode(CARD_PIN));
      const pInitReq = await card(
        INS.PINIT_REQUEST,
        encodeCardData("PInitRequestInput", { brand: "Visa", lidM: init.lidM, language: "en" }),
      );
      const pInitRes = await post(pInitReq);
      await card(INS.PINIT_RESPONSE, pInitRes);
      captured.auth = undefined;
      const pReq = await card(
        INS.PURCHASE,
        encodeCardData("PurchaseInput", {
          od: new Uint8Array(Buffer.from(init.od, "base64")),
          purchAmt: init.purchAmt,
          profile: init.profile,
          form: "dualSigned",
        }),
      );
      const pRes = await post(pReq);
      const outcome = decodeCardData("PurchaseOutcome", await card(INS.PURCHASE_RESPONSE, pRes));
      if (outcome.type !== "pRes" || outcome.value.completionCode !== "authorizationPerformed")
        throw new Error(`purchase ended ${JSON.stringify(outcome)}`);
      const auth = readCaptured();
      if (!auth) throw new Error("the merchant did not call the gateway");
      const view = JSON.parse(
        (await merchantAdmin.request({ method: "GET", url: `/orders/${order.id}` })).body.toString(),
      ) as { xid?: string };
      return {
        orderId: order.id,
        xid: view.xid,
        pInitReq,
        pInitRes,
        pReq,
        authReq: auth.authReq,
        authRes: auth.authRes,
        pRes,
        completionCode: outcome.value.completionCode,
        commands,
      };
    },
    async close() {
      await merchant.app.close();
      await merchantAdmin.app.close();
      await gateway.app.close();
      await gatewayAdmin.app.close();
      await ca.app.close();
      await repo.close();
      gatewayStore.close();
      caPki.close();
      if (!options.dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}
