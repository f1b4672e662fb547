/**
 * Our SET identifiers are SET's: OpenSSL carries SET's OID table (setct-*, setCext-*), so each
 * OID our codec encodes must come back from `openssl asn1parse` under the matching short name.
 */
import { spawnSync } from "node:child_process";
import { encodeDer } from "../asn1/codec";
import { oid } from "../asn1/primitives";
import { Brand, CertExtension, ContentType, SetPolicyRoot } from "./oids";

/** What `openssl asn1parse` prints for one DER OBJECT IDENTIFIER. */
function opensslName(dotted: string): string {
  const run = spawnSync("openssl", ["asn1parse", "-inform", "DER"], { input: encodeDer(oid(), dotted) });
  if (run.error) throw new Error(`openssl is not installed: ${run.error.message}`);
  const line = run.stdout.toString().trim();
  const name = /OBJECT\s+:(.*)$/.exec(line)?.[1];
  if (name === undefined) throw new Error(`unexpected openssl output for ${dotted}: ${line}`);
  return name.trim();
}

/** OpenSSL abbreviates some extension names; the right side is OpenSSL's `setCext-` suffix. */
const opensslCertExt: Record<keyof typeof CertExtension, string> = {
  hashedRootKey: "hashedRoot",
  certificateType: "certType",
  merchantData: "merchData",
  cardCertRequired: "cCertRequired",
  tunneling: "tunneling",
  setExtensions: "setExt",
  setQualifier: "setQualf",
};

describe("SET OIDs against OpenSSL's object table", () => {
  it.each(Object.entries(ContentType))("ContentType.%s is setct-*", (name, dotted) => {
    expect(opensslName(dotted)).toBe(`setct-${name.replace(/_/g, "-")}`);
  });

  it.each(Object.entries(CertExtension))("CertExtension.%s is setCext-*", (name, dotted) => {
    expect(opensslName(dotted)).toBe(`setCext-${opensslCertExt[name as keyof typeof CertExtension]}`);
  });

  it.each(Object.entries(Brand))("Brand.%s is set-brand-*", (name, dotted) => {
    expect(opensslName(dotted)).toBe(`set-brand-${name.replace(/_/g, "-")}`);
  });

  it("SetPolicyRoot is set-policy-root", () => {
    expect(opensslName(SetPolicyRoot)).toBe("set-policy-root");
  });

  it("would notice a wrong arc: .0.15 is no SET content type", () => {
    expect(opensslName("2.23.42.0.15")).toBe("2.23.42.0.15");
    expect(opensslName("2.23.42.0.3")).not.toBe("setct-PIData");
  });
});
