/**
 * A local user reads the command lines of the lab's processes (/proc/PID/cmdline is open to every
 * user) looking for the card link's pairing code, the card PIN or the key passphrase.
 */
import { keyPassphrase } from "@setlab/runtime";
import type { Attack } from "../attack";
import { commandLineOf, labPids } from "../toolkit/labProcesses";
import { verdict } from "../toolkit/verdict";

export const commandLineSecrets: Attack = {
  id: "local/command-line-secrets",
  category: "local",
  title:
    "A local user reads /proc/PID/cmdline of the gateway, merchant and phone for the pairing code, the PIN and the passphrase.",
  expected:
    "No command line carries a secret: the phone reads its code from an owner-only file, the PIN and passphrase come from the environment.",
  async run(target) {
    const secrets: [string, string][] = [["PIN", target.pin]];
    if (target.pairingCode) secrets.push(["pairing code", target.pairingCode]);
    const passphrase = keyPassphrase();
    const found: string[] = [];
    const read: string[] = [];
    for (const [party, pid] of Object.entries(labPids(target.home))) {
      const argv = commandLineOf(pid);
      if (!argv) continue;
      read.push(party);
      for (const [what, value] of secrets)
        if (argv.some((a) => a.includes(value))) found.push(`${what} in ${party}'s`);
      if (argv.some((a) => a === "--passphrase" || a.startsWith("--passphrase=") || a === passphrase))
        found.push(`passphrase in ${party}'s`);
    }
    return verdict(target, {
      refused: found.length === 0 && read.length === 3,
      signal: found.length === 0 ? "no secret in argv" : "secret in argv",
      changed: [],
      detail:
        read.length < 3
          ? `read the command lines of ${read.join(", ") || "no party"} only`
          : found.length === 0
            ? "command lines of gateway, merchant and phone read: no pairing code, PIN or passphrase"
            : `${found.join(", ")} command line`,
    });
  },
};
