/**
 * Test-only: what a gateway test file starts from: a `set-ca init` directory, its LabPki, the
 * gateway's keys from it, an AuthReq builder that plays the lab's merchant and cardholders, and
 * gateways over that PKI, each with a store of its own.
 */
import * as path from "node:path";
import type { CryptoProvider } from "@setlab/protocol";
import { LabPki } from "@setlab/runtime";
import { closedAtEnd } from "@setlab/runtime/testing";
import { Gateway, type GatewayOptions } from "../gateway/gateway";
import type { GatewayBrandKeys } from "../gateway/gatewayKeys";
import { accountsFrom, enrolledMerchantsFrom, gatewayKeysFrom, intermediatesFrom } from "../gatewayPki";
import { GatewayStore } from "../store/gatewayStore";
import { AuthReqBuilder } from "./authReqBuilder";
import { makeLabPkiDir } from "./labPkiDir";
import { type MerchantSide, merchantSide } from "./merchantSide";
import { testStoreOptions } from "./testStoreOptions";

export interface TestGateway {
  readonly gw: Gateway;
  readonly store: GatewayStore;
}

export interface TestGatewayOptions
  extends Partial<Pick<GatewayOptions, "enrolled" | "policy" | "scheduleAdvanceMs">> {
  /** The SQLite file; a new one in the kit's directory when absent. Another gateway over the same file is a restart. */
  readonly file?: string;
  /** The gateway's provider instead of the kit's (a test moves its clock with `now`). */
  readonly provider?: CryptoProvider;
}

export interface GatewayTestKit {
  readonly tmp: ReturnType<typeof makeLabPkiDir>;
  readonly pki: LabPki;
  readonly keys: GatewayBrandKeys[];
  readonly b: AuthReqBuilder;
  /** The lab merchant after its AuthReq: authorizations, CapReqs, its keys for the answers. */
  readonly merchant: MerchantSide;
  /**
   * A gateway of the lab: its keys, the lab's root and CAs, its merchants enrolled, its store's
   * accounts seeded from the PKI; `options` replace the enrolled merchants or tighten the policy.
   */
  gateway(options?: TestGatewayOptions): TestGateway;
  /** A new SQLite file name in the kit's directory. */
  dbFile(): string;
}

export async function gatewayTestKit(p: CryptoProvider): Promise<GatewayTestKit> {
  const tmp = makeLabPkiDir();
  const pki = LabPki.open(tmp.pkiDir);
  const keys = await gatewayKeysFrom(pki, p);
  let files = 0;
  const dbFile = () => path.join(tmp.dir, `gateway-${++files}.sqlite`);
  const b = new AuthReqBuilder(p, pki);
  return {
    tmp,
    pki,
    keys,
    b,
    merchant: merchantSide(p, { pki, b }),
    dbFile,
    gateway(options = {}) {
      const store = closedAtEnd(GatewayStore.open(options.file ?? dbFile(), testStoreOptions));
      store.seedAccounts(accountsFrom(pki));
      const gw = new Gateway({
        provider: options.provider ?? p,
        keys,
        trust: { pinnedRoot: pki.root(), intermediates: intermediatesFrom(pki) },
        store,
        enrolled: options.enrolled ?? enrolledMerchantsFrom(pki),
        policy: options.policy,
        ...(options.scheduleAdvanceMs ? { scheduleAdvanceMs: options.scheduleAdvanceMs } : {}),
      });
      return { gw, store };
    },
  };
}

/**
 * The kit of one test file: made before its tests run, its directory removed after them. Its
 * fields are there from the file's first test on (not while the file is being loaded).
 */
export function useGatewayTestKit(p: CryptoProvider): GatewayTestKit {
  const kit = {} as GatewayTestKit;
  beforeAll(async () => {
    Object.assign(kit, await gatewayTestKit(p));
  });
  afterAll(() => kit.tmp.cleanup());
  return kit;
}
