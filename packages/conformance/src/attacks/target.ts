/** The attack target of a running lab, read from its `lab.json`. */
import * as fs from "node:fs";
import * as path from "node:path";
import type { AttackTarget } from "./attack";

interface LabJson {
  readonly pki: string;
  readonly pin: string;
  readonly pairingCode?: string;
  readonly parties: Record<"gateway" | "merchant" | "phone", { readonly url: string }>;
}

export class TargetError extends Error {
  override readonly name = "TargetError";
}

export function targetOfLab(home: string): AttackTarget {
  const file = path.join(path.resolve(home), "lab.json");
  if (!fs.existsSync(file)) throw new TargetError(`no lab is running from ${home} (${file} is missing)`);
  let lab: LabJson;
  try {
    lab = JSON.parse(fs.readFileSync(file, "utf8")) as LabJson;
  } catch {
    throw new TargetError(`${file} is not a lab state file`);
  }
  const strip = (u: string) => u.replace(/\/$/, "");
  return {
    home: path.resolve(home),
    pki: lab.pki,
    pin: lab.pin,
    pairingCode: lab.pairingCode,
    merchantUrl: strip(lab.parties.merchant.url),
    gatewayUrl: strip(lab.parties.gateway.url),
    phoneUrl: lab.parties.phone.url,
  };
}
