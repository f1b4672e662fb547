/**
 * Test-only: what a test file of the merchant's core starts from: a test PKI and a scratch
 * directory (made before its tests, the directory removed after), merchants over them, each with
 * a store of its own and a test gateway, and the test card's purchase of an order.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { CryptoProvider } from "@setlab/protocol";
import { createTestPki, type TestPki } from "@setlab/protocol/testing";
import { closedAtEnd } from "@setlab/runtime/testing";
import { Merchant } from "../core/merchant";
import type { MerchantConfig } from "../core/merchantConfig";
import { SqliteRepository } from "../store/sqliteRepository";
import { GatewayFunction } from "./gatewayFunction";
import { kitOf, type PReqOptions, pInitReq, pReq, readPInitRes } from "./testCard";
import { testMerchantConfig } from "./testMerchantConfig";

export interface TestMerchant {
  readonly merchant: Merchant;
  readonly gateway: GatewayFunction;
  readonly repo: SqliteRepository;
  /** The store's SQLite file: another merchant over it is a restart. */
  readonly file: string;
}

export interface MerchantTestKit {
  readonly pki: TestPki;
  /** The file's scratch directory. */
  readonly dir: string;
  /** A merchant of the test PKI over a new store (or `file`); `config` changes the test config. */
  merchant(options?: { config?: Partial<MerchantConfig>; file?: string }): TestMerchant;
  /**
   * The test card buys the order `lidM` names (PInitReq, then PReq of `purchase`), the test
   * gateway answering the merchant's AuthReq in `mode`, then approving again.
   */
  buy(
    m: TestMerchant,
    lidM: string,
    purchase: Pick<PReqOptions, "description" | "purchAmt">,
    mode?: GatewayFunction["mode"],
  ): Promise<void>;
}

export function useMerchantTestKit(p: CryptoProvider, name: string): MerchantTestKit {
  let pki: TestPki | undefined;
  let dir = "";
  let n = 0;
  beforeAll(async () => {
    pki = await createTestPki(p);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `merchant-${name}-`));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const pkiOf = () => {
    if (!pki) throw new Error("the test PKI is not made yet");
    return pki;
  };
  return {
    get pki() {
      return pkiOf();
    },
    get dir() {
      return dir;
    },
    merchant(options = {}) {
      const file = options.file ?? path.join(dir, `m${++n}.db`);
      const repo = closedAtEnd(new SqliteRepository(file));
      const gateway = new GatewayFunction(p, pkiOf());
      const config = { ...testMerchantConfig(pkiOf()), ...options.config };
      return { merchant: new Merchant({ p, repo, config, gateway }), gateway, repo, file };
    },
    async buy({ merchant, gateway }, lidM, purchase, mode = "approve") {
      const session = pInitReq(p, lidM);
      const data = await readPInitRes(
        p,
        kitOf(pkiOf()),
        session,
        (await merchant.handleSet(session.pInitReq)).response,
      );
      gateway.mode = mode;
      await merchant.handleSet((await pReq(p, kitOf(pkiOf()), session, data, purchase)).der);
      gateway.mode = "approve";
    },
  };
}
