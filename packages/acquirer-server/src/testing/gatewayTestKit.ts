/**
 * Test-only: what a gateway test file starts from: a `set-ca init` directory, its LabPki, the
 * gateway's keys from it, and an AuthReq builder that plays the lab's merchant and cardholders.
 */
import type { CryptoProvider } from "@setlab/protocol";
import { LabPki } from "@setlab/runtime";
import type { GatewayBrandKeys } from "../gateway/gatewayKeys";
import { gatewayKeysFrom } from "../gatewayPki";
import { AuthReqBuilder } from "./authReqBuilder";
import { makeLabPkiDir } from "./labPkiDir";

export interface GatewayTestKit {
  readonly tmp: ReturnType<typeof makeLabPkiDir>;
  readonly pki: LabPki;
  readonly keys: GatewayBrandKeys[];
  readonly b: AuthReqBuilder;
}

export async function gatewayTestKit(p: CryptoProvider): Promise<GatewayTestKit> {
  const tmp = makeLabPkiDir();
  const pki = LabPki.open(tmp.pkiDir);
  return { tmp, pki, keys: await gatewayKeysFrom(pki, p), b: new AuthReqBuilder(p, pki) };
}
