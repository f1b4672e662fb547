/**
 * `set-lab browser-setup --profile DIR`: makes a Chromium profile directory able to pay in the
 * browser (docs/purchase-flow.md, "Browser extension and native host"). It writes only inside DIR:
 *
 *   DIR/set-extension/                       the SET extension, trusting the shops given
 *   DIR/NativeMessagingHosts/org.setlab.mediator.json
 *                                            the host manifest (Chromium reads it from the profile
 *                                            it was started with, at each connectNative)
 *   DIR/set-mediator/native-host             the host program: a 0700 script that starts
 *                                            `set-mediator native-host` for the lab's phone, with
 *                                            the phone's pairing code in its environment
 *   DIR/set-mediator/{cwd,home,tmp}          empty directories the host runs in (its working
 *                                            directory, HOME and TMPDIR): they stay empty
 *
 * The extension's ID is fixed by the `key` in its manifest; the host manifest's allowed_origins
 * names exactly that ID, so no other extension can start the mediator.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { hasKeyctl, writeOwnerOnlyFile } from "@setlab/runtime";
import { LabFailure, type LabState, pairingCodeOf } from "../labState";
import { partyScripts } from "../paths";

export const nativeHostName = "org.setlab.mediator";
export const extensionSource = path.resolve(__dirname, "..", "..", "..", "mediator", "extension");

export interface BrowserSetupOptions {
  /** The Chromium user data directory to write into (created if missing). */
  readonly profile: string;
  readonly state: LabState;
  /** Origins (scheme://host:port) of the shops whose markers may start the mediator. */
  readonly trustedOrigins: readonly string[];
}

export interface BrowserSetup {
  readonly extensionDir: string;
  readonly extensionId: string;
  readonly hostManifest: string;
  readonly hostProgram: string;
  /** The host's working directory, HOME and TMPDIR. */
  readonly hostDirs: { readonly cwd: string; readonly home: string; readonly tmp: string };
}

/** Chromium's extension ID: the first 128 bits of SHA-256 of the key's DER, hex digits 0-f as a-p. */
export function extensionIdOf(keyBase64: string): string {
  const digest = createHash("sha256").update(Buffer.from(keyBase64, "base64")).digest("hex").slice(0, 32);
  return [...digest].map((h) => String.fromCharCode(97 + Number.parseInt(h, 16))).join("");
}

/** A shop origin as the worker compares it (URL.origin), refusing anything with a path. */
export function shopOrigin(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new LabFailure(`--trust-origin takes an origin such as http://127.0.0.1:8080, not "${text}"`);
  }
  if (
    (url.protocol !== "http:" && url.protocol !== "https:") ||
    url.pathname !== "/" ||
    url.search ||
    url.hash
  )
    throw new LabFailure(`--trust-origin takes an origin such as http://127.0.0.1:8080, not "${text}"`);
  return url.origin;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function browserSetup(options: BrowserSetupOptions): BrowserSetup {
  if (options.trustedOrigins.length === 0)
    throw new LabFailure("browser-setup needs at least one --trust-origin");
  const origins = [...new Set(options.trustedOrigins.map(shopOrigin))];
  const profile = path.resolve(options.profile);
  // Checked now, read by the host each time it runs: the phone renews the code after a wrong one.
  pairingCodeOf(options.state);
  const codeFile = options.state.pairingCodeFile!;
  const phone = options.state.parties.phone.url.replace(/^tcp:\/\//, "");
  const cardsDir = path.join(options.state.phoneData, "cards");
  const cards = fs.existsSync(cardsDir) ? fs.readdirSync(cardsDir).sort() : [];
  fs.mkdirSync(profile, { recursive: true, mode: 0o700 });

  // The extension, with the trusted shops in its content-script matches (host, any port) and the
  // exact origins in trust.json (what the worker checks).
  const extensionDir = path.join(profile, "set-extension");
  fs.rmSync(extensionDir, { recursive: true, force: true });
  fs.cpSync(extensionSource, extensionDir, { recursive: true });
  const manifestFile = path.join(extensionDir, "manifest.json");
  const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
  const matches = [...new Set(origins.map((o) => `${new URL(o).protocol}//${new URL(o).hostname}/*`))];
  manifest.content_scripts[0].matches = matches;
  manifest.web_accessible_resources[0].matches = matches;
  fs.writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  fs.writeFileSync(path.join(extensionDir, "trust.json"), `${JSON.stringify({ origins }, null, 2)}\n`);
  const extensionId = extensionIdOf(manifest.key);

  // The host program and the empty directories it runs in.
  const hostDir = path.join(profile, "set-mediator");
  const hostDirs = {
    cwd: path.join(hostDir, "cwd"),
    home: path.join(hostDir, "home"),
    tmp: path.join(hostDir, "tmp"),
  };
  for (const d of Object.values(hostDirs)) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  const allowedOrigin = `chrome-extension://${extensionId}/`;
  const hostProgram = path.join(hostDir, "native-host");
  // The pairing code reaches the host's environment from the lab's owner-only code file, read by
  // the shell when Chromium starts the host: never on a command line, nowhere in the profile.
  writeOwnerOnlyFile(
    hostProgram,
    [
      "#!/bin/sh",
      "# Written by `set-lab browser-setup`: Chromium runs this for the SET extension's connectNative.",
      `cd ${shellQuote(hostDirs.cwd)} || exit 1`,
      `IFS= read -r SETLAB_PAIRING_CODE < ${shellQuote(codeFile)}`,
      `HOME=${shellQuote(hostDirs.home)} TMPDIR=${shellQuote(hostDirs.tmp)}`,
      // the card-link bond in the kernel keyring (docs/card-link.md): the profile's first purchase pairs
      ...(hasKeyctl() ? ["SETLAB_BOND_KEYRING=1", "export SETLAB_BOND_KEYRING"] : []),
      "export HOME TMPDIR SETLAB_PAIRING_CODE",
      `exec ${shellQuote(process.execPath)} ${shellQuote(partyScripts.mediator)} native-host --phone ${shellQuote(phone)} --allowed-origin ${shellQuote(allowedOrigin)} --cards ${shellQuote(cards.join(","))} "$@"`,
      "",
    ].join("\n"),
  );
  fs.chmodSync(hostProgram, 0o700);

  const manifestsDir = path.join(profile, "NativeMessagingHosts");
  fs.mkdirSync(manifestsDir, { recursive: true, mode: 0o700 });
  const hostManifest = path.join(manifestsDir, `${nativeHostName}.json`);
  fs.writeFileSync(
    hostManifest,
    `${JSON.stringify(
      {
        name: nativeHostName,
        description:
          "SET Lab mediator (WO 03/105037): relays the purchase between the shop and the card on the phone",
        path: hostProgram,
        type: "stdio",
        allowed_origins: [allowedOrigin],
      },
      null,
      2,
    )}\n`,
  );
  return { extensionDir, extensionId, hostManifest, hostProgram, hostDirs };
}
