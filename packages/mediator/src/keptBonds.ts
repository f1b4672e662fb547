/**
 * Whether a command-line run keeps its card-link bond in the OS keyring (`--keyring`, or
 * SETLAB_BOND_KEYRING=1): then the run resumes the bond an earlier run kept and asks no code, and
 * a run that pairs keeps its new bond there for the next. Without it, the run pairs with the code
 * and the bond dies with the process (docs/card-link.md, "Where the PC keeps a bond beyond
 * one process").
 */
import { BondCache } from "@setlab/protocol/card-link";
import { defaultProvider } from "@setlab/protocol/relay";
import { KeyringBondKeeper, type Logger } from "@setlab/runtime/client";

/**
 * The run's bond cache, or undefined when the keyring is not asked for. The look in the keyring
 * starts at once, so it runs while the caller loads the shop's initiation; the connection to the
 * phone then finds the bond in memory (PcCardLink uses the same default crypto provider).
 */
export function keptBonds(
  flag: boolean | undefined,
  env: NodeJS.ProcessEnv,
  logger: Pick<Logger, "warn">,
  phone: { readonly host: string; readonly port: number },
): BondCache | undefined {
  if (flag !== true && env.SETLAB_BOND_KEYRING !== "1") return undefined;
  const keeper = new KeyringBondKeeper({
    onUnavailable: (reason) => logger.warn({ reason }, "card-link bond not kept: the keyring is not usable"),
  });
  const bonds = new BondCache({ keeper });
  bonds.recall(`${phone.host}:${phone.port}`, defaultProvider).catch(() => undefined);
  return bonds;
}
