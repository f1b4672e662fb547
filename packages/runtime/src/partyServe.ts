/**
 * What a party's `serve` command does around its own core, the same for every HTTP party: before
 * anything starts it reads the admin token file (one that others can read is a reason not to
 * start) and opens the lab PKI directory (`PartyDirectory.open`), and, once what can refuse to
 * start has been read, follows the revocation material the CA publishes there
 * (`followRevocation`); once the core is built, it listens on the payment listener and,
 * when asked, on the admin listener, announces both on stdout, and on SIGTERM or SIGINT lets
 * in-flight requests finish, closes the party's own resources and ends the process
 * (`serveParty`).
 */
import { type CryptoProvider, nodeProvider } from "@setlab/protocol";
import type { FastifyInstance } from "fastify";
import { type AdminListener, readAdminTokenFile } from "./adminAccess";
import { faultsAllowed } from "./faultSwitches";
import { LabPki } from "./labPki";
import { LabRevocationSource, logRevocation } from "./labRevocation";
import { createLogger, type Logger } from "./logger";
import { announceListening } from "./ready";

export class PartyDirectory {
  private constructor(
    readonly logger: Logger,
    readonly provider: CryptoProvider,
    readonly pki: LabPki,
    /** The admin listener's bearer token, when one is served. */
    readonly adminToken: string | undefined,
  ) {}

  static open(
    party: string,
    options: { readonly pki: string; readonly admin?: AdminListener },
  ): PartyDirectory {
    // Read first: a token file others can read is a reason not to start.
    const adminToken = options.admin ? readAdminTokenFile(options.admin.tokenFile) : undefined;
    return new PartyDirectory(createLogger(party), nodeProvider(), LabPki.open(options.pki), adminToken);
  }

  /** Started: a BCI or CRL the CA publishes into the directory is in force within one poll interval. */
  async followRevocation(): Promise<LabRevocationSource> {
    const source = await LabRevocationSource.open(this.pki.dir, this.provider, {
      log: logRevocation(this.logger),
    });
    return source.start();
  }

  /**
   * Whether fault switches may be built: only in a process started with SETLAB_ALLOW_FAULTS=1
   * (docs/faults.md), and then the log says so.
   */
  faultsAllowed(): boolean {
    if (!faultsAllowed()) return false;
    this.logger.warn({ event: "faultsAllowed" }, "fault switches enabled (SETLAB_ALLOW_FAULTS=1)");
    return true;
  }
}

export interface PartyListeners {
  readonly app: FastifyInstance;
  readonly port: number;
  readonly host: string;
  /** The admin routes' app and where they listen; absent: not served. */
  readonly admin?: { readonly app: FastifyInstance; readonly listener: AdminListener };
  /** Facts for the log's ready line (brands, ids). */
  readonly details?: Readonly<Record<string, unknown>>;
  /** The party's own resources (stores, the revocation source), closed after the listeners. */
  readonly close: () => Promise<void> | void;
}

/** The address as announced: a wildcard or IPv6 loopback answer is named by the host asked for. */
async function listenOn(app: FastifyInstance, port: number, host: string): Promise<string> {
  const url = new URL(await app.listen({ port, host }));
  if (url.hostname === "[::1]" || url.hostname === "0.0.0.0") url.hostname = host;
  return url.origin;
}

export async function serveParty(
  party: string,
  logger: Logger,
  listeners: PartyListeners,
): Promise<{ url: string; adminUrl?: string }> {
  const { app, admin } = listeners;
  const url = await listenOn(app, listeners.port, listeners.host);
  const adminUrl = admin ? await listenOn(admin.app, admin.listener.port, admin.listener.host) : undefined;
  logger.info({ event: "listening", url, adminUrl, ...listeners.details }, `${party} ready`);
  announceListening(party, url, adminUrl);
  const stop = () => {
    // In-flight requests finish, then their writes are committed, then the process ends.
    Promise.resolve(admin?.app.close())
      .then(() => app.close())
      .then(() => listeners.close())
      .finally(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  return { url, ...(adminUrl ? { adminUrl } : {}) };
}
