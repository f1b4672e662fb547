/** The attack target of a running lab, read from its `lab.json`. */
import * as fs from "node:fs";
import * as path from "node:path";
import { readAdminTokenFile, readOwnerOnlyFile } from "@setlab/runtime";
import type { AttackTarget } from "./attack";

interface LabJson {
  readonly pki: string;
  readonly pin: string;
  readonly phoneData?: string;
  readonly pairingCodeFile?: string;
  readonly adminTokenFile?: string;
  readonly parties: Record<
    "gateway" | "merchant" | "phone",
    { readonly url: string; readonly adminUrl?: string }
  >;
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
  const { adminTokenFile } = lab;
  const merchantAdmin = lab.parties.merchant.adminUrl;
  const gatewayAdmin = lab.parties.gateway.adminUrl;
  if (!adminTokenFile || !merchantAdmin || !gatewayAdmin)
    throw new TargetError(`${file} names no admin listeners: start the lab again (\`pnpm lab up\`)`);
  let token: string;
  try {
    token = readAdminTokenFile(adminTokenFile);
  } catch (e) {
    throw new TargetError((e as Error).message);
  }
  const codeFile = lab.pairingCodeFile;
  return {
    home: path.resolve(home),
    pki: lab.pki,
    pin: lab.pin,
    ...(lab.phoneData === undefined ? {} : { phoneData: lab.phoneData }),
    // Read when used: the phone renews the code after a wrong one (an attack may send one).
    get pairingCode() {
      return codeFile === undefined ? undefined : readOwnerOnlyFile(codeFile, "pairing code");
    },
    merchantUrl: strip(lab.parties.merchant.url),
    gatewayUrl: strip(lab.parties.gateway.url),
    merchantAdmin: { url: strip(merchantAdmin), token },
    gatewayAdmin: { url: strip(gatewayAdmin), token },
    phoneUrl: lab.parties.phone.url,
  };
}
