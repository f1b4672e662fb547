/**
 * Decryption oracles (digest 6 rule 6, 7.9): every way the AuthReq envelope or the PI's EX
 * envelope can fail to open must give the same answer, so that no reply tells one layer from
 * another (RSA-OAEP block, CBC padding, the signed content, the length). The gateway's answer is
 * compared by ErrorCode and by the reason it logged (timing is not compared).
 */
import { decodeDer, encodeDer, schema } from "@setlab/protocol";
import type { Attack, AttackOutcome, AttackTarget } from "../attack";
import type { ForgeOptions } from "../toolkit/authReqForger";
import { envelopeCuts } from "../toolkit/derSurgery";
import { authorizationsOf, gatewayLogFor, heldOn, postSetRaw } from "../toolkit/gatewayProbe";
import { forgerOf, gatewaySet } from "./gatewayVerdict";

type Cut = (envelope: Uint8Array) => Uint8Array;

/** Apply `cut` to the PI's EX envelope (dual-signed form), keeping the PI otherwise as built. */
const cutPI =
  (cut: Cut) =>
  (piDer: Uint8Array): Uint8Array => {
    const pi = decodeDer(schema.PI, piDer, "PI");
    if (pi.type !== "piDualSigned") throw new Error("expected a dual-signed PI");
    return encodeDer(schema.PI, {
      type: "piDualSigned",
      value: { ...pi.value, exPIData: cut(new Uint8Array(pi.value.exPIData)) },
    });
  };

interface Variant {
  readonly name: string;
  readonly options: (target: AttackTarget) => Promise<ForgeOptions> | ForgeOptions;
}

const variants: readonly Variant[] = [
  {
    name: "AuthReq sealed to a key that is not the gateway's",
    options: (t) => ({ sealTo: forgerOf(t).pki.certificate("visa/merchant/key-exchange") }),
  },
  { name: "AuthReq RSA-OAEP block corrupted", options: () => ({ envelope: envelopeCuts.oaepBlock }) },
  { name: "AuthReq CBC padding corrupted", options: () => ({ envelope: envelopeCuts.cbcPadding }) },
  { name: "AuthReq signed content corrupted", options: () => ({ envelope: envelopeCuts.innerContent }) },
  { name: "AuthReq ciphertext truncated", options: () => ({ envelope: envelopeCuts.truncated }) },
  {
    name: "AuthReq inner signature broken (merchant certificate, another key)",
    options: async (t) => {
      const f = forgerOf(t);
      const merchant = await f.signer("visa/merchant/signature");
      const other = await f.signer("visa/gateway/signature");
      return { merchantSigner: { ...merchant, privateKey: other.privateKey } };
    },
  },
  {
    name: "PI sealed to another gateway's key",
    options: (t) => ({ piSealTo: forgerOf(t).pki.certificate("mastercard/gateway/key-exchange") }),
  },
  { name: "PI RSA-OAEP block corrupted", options: () => ({ pi: cutPI(envelopeCuts.oaepBlock) }) },
  { name: "PI CBC padding corrupted", options: () => ({ pi: cutPI(envelopeCuts.cbcPadding) }) },
  { name: "PI encrypted content corrupted", options: () => ({ pi: cutPI(envelopeCuts.innerContent) }) },
  { name: "PI ciphertext truncated", options: () => ({ pi: cutPI(envelopeCuts.truncated) }) },
  // The IV flips one known plaintext bit and leaves the padding valid: byte 0 is PI-OILink's
  // SEQUENCE tag, byte 13 the tag of LID-C (the decrypted content no longer decodes), byte 15 the
  // first byte of LID-C (it decodes, and only the dual signature no longer verifies).
  {
    name: "PI decrypted content not DER (IV bit of byte 0)",
    options: () => ({ pi: cutPI(envelopeCuts.ivBit(0)) }),
  },
  {
    name: "PI decrypted content with a broken inner tag (IV bit of byte 13)",
    options: () => ({ pi: cutPI(envelopeCuts.ivBit(13)) }),
  },
  {
    name: "PI decrypted content altered inside a value (IV bit of byte 15)",
    options: () => ({ pi: cutPI(envelopeCuts.ivBit(15)) }),
  },
  {
    name: "AuthReq decrypted content altered (IV bit of byte 13)",
    options: () => ({ envelope: envelopeCuts.ivBit(13) }),
  },
];

const noLogEntry = "(no log entry)";

export interface OracleObservation {
  readonly variant: string;
  readonly code: string;
  readonly reason: string;
  readonly signed: boolean;
}

/** Send every variant; what the gateway answered and logged for each. */
export async function observeDecryptionFailures(target: AttackTarget): Promise<{
  observations: OracleObservation[];
  rows: number;
}> {
  const f = forgerOf(target);
  const observations: OracleObservation[] = [];
  let rows = 0;
  for (const v of variants) {
    const req = await f.forge(await v.options(target));
    const raw = await postSetRaw(gatewaySet(target), req.bytes);
    const answer = await f.read(raw.body);
    const log = await gatewayLogFor(target.home, raw.runId);
    observations.push({
      variant: v.name,
      code: answer.type === "error" ? answer.code : `(${answer.type})`,
      reason: typeof log?.reason === "string" ? log.reason : noLogEntry,
      signed: answer.type === "error" && answer.signed,
    });
    rows += (await authorizationsOf(target.gatewayAdmin, req.xidHex)).length;
  }
  return { observations, rows };
}

export const oneDecryptionError: Attack = {
  id: "decryption-oracle/gateway-one-error",
  category: "decryption-oracle",
  title:
    "A man in the middle sends AuthReqs whose envelope or PI fails to open in 15 different ways (recipient, OAEP block, CBC padding, content, IV, inner signature, truncation).",
  expected:
    "The gateway answers every one with the same SET Error (decodingFailure) and logs the same reason; no authorization.",
  async run(target): Promise<AttackOutcome> {
    const heldBefore = await heldOn(target.gatewayAdmin, "visa-approve");
    const { observations, rows } = await observeDecryptionFailures(target);
    const heldAfter = await heldOn(target.gatewayAdmin, "visa-approve");
    // A log line not found in time is left out of the comparison (and counted in the detail).
    const logged = observations.filter((o) => o.reason !== noLogEntry);
    const answers = new Set(logged.map((o) => `${o.code} / ${o.reason}`));
    const codes = new Set(observations.map((o) => o.code));
    const signedness = new Set(observations.map((o) => o.signed));
    const allErrors = observations.every((o) => !o.code.startsWith("("));
    return {
      refused: allErrors && answers.size === 1 && codes.size === 1,
      refusedBy: "gateway",
      signal: [...answers].join(" | "),
      stateUnchanged: rows === 0 && heldAfter === heldBefore,
      detail: `${observations.length} variants, ${answers.size} distinct answer(s): ${observations
        .map((o) => `[${o.variant}: ${o.code}${o.signed ? " signed" : ""} "${o.reason}"]`)
        .join(" ")}${signedness.size > 1 ? "; note: some Errors are signed and some are not" : ""}${
        logged.length < observations.length
          ? `; ${observations.length - logged.length} log line(s) not found`
          : ""
      }`,
    };
  },
};

export const decryptionOracleAttacks: readonly Attack[] = [oneDecryptionError];
