/** Where each party's program lives: the lab starts them as separate Node processes. */
import * as path from "node:path";

const packages = path.resolve(__dirname, "..", "..");

export const partyScripts = {
  ca: path.join(packages, "ca", "dist", "cli.js"),
  gateway: path.join(packages, "acquirer-server", "dist", "cli.js"),
  merchant: path.join(packages, "merchant-server", "dist", "cli.js"),
  phone: path.join(packages, "wallet-card", "dist", "cli.js"),
  mediator: path.join(packages, "mediator", "dist", "cli.js"),
} as const;

export type PartyName = "gateway" | "merchant" | "phone";
