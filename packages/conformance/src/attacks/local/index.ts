/** Attacks by another user of the lab's machine: no network position, no key, only what the OS shows. */
import type { Attack } from "../attack";
import { commandLineSecrets } from "./commandLineSecrets";
import { linkFloodAttacks } from "./linkFlood";

export const localAttacks: readonly Attack[] = [...linkFloodAttacks, commandLineSecrets];
