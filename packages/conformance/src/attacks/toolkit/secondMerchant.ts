/**
 * A second merchant process like the lab's (`set-merchant serve` on the lab PKI, its own SQLite
 * file, its own admin listener and token), whose gateway is whatever URL the attack gives it, e.g.
 * a man-in-the-middle proxy. Its log goes to HOME/logs so the log checks cover it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { type AdminAccess, writeAdminTokenFile } from "@setlab/runtime";

export const merchantScript = path.resolve(
  __dirname,
  "..",
  "..",
  "..",
  "..",
  "merchant-server",
  "dist",
  "cli.js",
);

export interface SecondMerchant {
  readonly url: string;
  /** Its back office: where the attack creates and reads its orders. */
  readonly admin: AdminAccess;
  stop(): Promise<void>;
}

export async function startSecondMerchant(
  home: string,
  pki: string,
  gatewaySetUrl: string,
  name = "merchant-mitm",
): Promise<SecondMerchant> {
  const dir = fs.mkdtempSync(path.join(home, `${name}-`));
  fs.mkdirSync(path.join(home, "logs"), { recursive: true });
  const log = fs.openSync(path.join(home, "logs", `${name}.log`), "a", 0o600);
  const tokenFile = path.join(dir, "admin-token");
  const token = writeAdminTokenFile(tokenFile);
  const child: ChildProcess = spawn(
    process.execPath,
    [
      merchantScript,
      "serve",
      "--pki",
      pki,
      "--db",
      path.join(dir, "merchant.sqlite"),
      "--gateway",
      `Visa=${gatewaySetUrl}`,
      "--gateway",
      `MasterCard=${gatewaySetUrl}`,
      "--port",
      "0",
      "--admin-port",
      "0",
      "--admin-token-file",
      tokenFile,
      // Its three attempts 1 s apart, not 5: an attack that spoils every answer it gets costs 2 s.
      "--gateway-timeout",
      "1000",
    ],
    { stdio: ["ignore", "pipe", log] },
  );
  fs.closeSync(log);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await gone;
    clearTimeout(timer);
  };
  const { url, adminUrl } = await new Promise<{ url: string; adminUrl: string }>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 30 s`)), 30_000);
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString("utf8");
      const line = out.split("\n").find((l) => l.includes('"event":"listening"'));
      if (line) {
        clearTimeout(timer);
        const ready = JSON.parse(line) as { url: string; adminUrl: string };
        resolve({ url: ready.url.replace(/\/$/, ""), adminUrl: ready.adminUrl.replace(/\/$/, "") });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (code ${code}) before listening`));
    });
  }).catch(async (e) => {
    await stop();
    throw e;
  });
  return { url, admin: { url: adminUrl, token }, stop };
}
