/**
 * Every named type of the module, by its ASN.1 name. Built from the schema files' exports, so a
 * type added to a schema file is covered by the round-trip, fuzz and independent-decoder tests
 * without further wiring.
 */
import type { Codec } from "../asn1/codec";
import * as certExtensions from "./certExtensions";
import * as common from "./common";
import * as error from "./error";
import * as extraBlock from "./extraBlock";
import * as message from "./message";
import * as payment from "./payment";
import * as purchase from "./purchase";
import * as registration from "./registration";

const sections = { common, extraBlock, certExtensions, purchase, payment, registration, error, message };

function isNamedCodec(x: unknown): x is Codec<unknown> & { spec: { kind: "named"; name: string } } {
  return typeof x === "object" && x !== null && "spec" in x && (x as Codec<unknown>).spec?.kind === "named";
}

export interface RegisteredType {
  /** The type's name in SetLab.asn. */
  readonly asn1Name: string;
  readonly section: string;
  readonly codec: Codec<unknown>;
}

export const registry: readonly RegisteredType[] = (() => {
  const seen = new Map<string, RegisteredType>();
  for (const [section, exports] of Object.entries(sections))
    for (const value of Object.values(exports))
      if (isNamedCodec(value) && !seen.has(value.spec.name))
        seen.set(value.spec.name, { asn1Name: value.spec.name, section, codec: value });
  return [...seen.values()];
})();

export function lookupType(asn1Name: string): Codec<unknown> {
  const found = registry.find((t) => t.asn1Name === asn1Name);
  if (!found) throw new Error(`no codec registered for ${asn1Name}`);
  return found.codec;
}
