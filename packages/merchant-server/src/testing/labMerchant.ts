/**
 * Test-only: the merchant as a real process, `set-merchant serve` from dist over a lab PKI of its
 * own (a copy of the test run's `set-ca init`, seedLabPki) and a SQLite file, its gateways at a
 * closed port (so an authorization fails the way an unreachable gateway fails), its back office on
 * an admin listener with a token; and card kits from that PKI's cards.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type { CryptoProvider } from "@setlab/protocol";
import { adminHeaders, LabPki, type StartedParty, startParty, writeAdminTokenFile } from "@setlab/runtime";
import { seedLabPki } from "@setlab/runtime/testing";
import type { CardKit } from "./testCard";

const root = path.resolve(__dirname, "../../../..");
export const merchantCli = path.join(root, "packages/merchant-server/dist/cli.js");

export interface LabMerchant {
  /** The temporary directory holding `pki/` and `merchant.db`. */
  readonly dir: string;
  readonly pki: LabPki;
  readonly party: StartedParty;
  /** The admin listener's token. */
  readonly token: string;
  /** A request to the admin listener (`route` from `/`), with the token. */
  admin(route: string, init?: RequestInit): Promise<Response>;
  /** Stop the merchant and remove the directory. */
  close(): Promise<void>;
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export async function startLabMerchant(tempPrefix: string): Promise<LabMerchant> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), tempPrefix));
  const pkiDir = path.join(dir, "pki");
  seedLabPki(pkiDir);
  const gateway = `http://127.0.0.1:${await closedPort()}`;
  const tokenFile = path.join(dir, "admin-token");
  const token = writeAdminTokenFile(tokenFile);
  const party = await startParty(merchantCli, [
    "serve",
    "--pki",
    pkiDir,
    "--db",
    path.join(dir, "merchant.db"),
    "--gateway",
    `Visa=${gateway}`,
    "--gateway",
    `MasterCard=${gateway}`,
    "--port",
    "0",
    "--admin-port",
    "0",
    "--admin-token-file",
    tokenFile,
  ]);
  return {
    dir,
    pki: LabPki.open(pkiDir),
    party,
    token,
    admin: (route, init = {}) =>
      fetch(`${party.adminUrl}${route}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), ...adminHeaders(token) },
      }),
    close: async () => {
      await party.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The card of certificate `certId` with the account data `card`, for the test card's messages. */
export async function labCardKit(
  p: CryptoProvider,
  pki: LabPki,
  certId: string,
  card: { pan: string; expiry: string },
  merchantID = "SETLAB-MER-0001",
): Promise<CardKit> {
  return {
    cardholder: await pki.signer(certId, p),
    root: pki.root(),
    pan: card.pan,
    expiry: card.expiry,
    merchantID,
  };
}
