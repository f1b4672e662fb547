/**
 * The gateway's certificates fetched, not only configured (patent step S31; digest 3.7 PCertReq /
 * PCertRes): for each configured brand entry, the merchant asks the entry's gateway for its current
 * key-exchange certificate and, when `receivePCertRes` accepts it, seals AuthReqs to it and hands it
 * to cardholders in PInitRes from then on.
 *
 * The trust decision is the one configuration gets: a fetched certificate is taken only if it
 * chains to the merchant's pinned root, is a payment gateway (pgwy) key-exchange certificate of the
 * entry's brand, and belongs to the gateway that signed the PCertRes (a pgwy signature certificate
 * of that brand, to the same root). Whatever fails (the gateway unreachable, an Error, a check) keeps
 * the configured certificate: configuration is the fallback, never replaced by less.
 */
import {
  type FetchedGatewayCertificate,
  receivePCertRes,
  type schema,
  signPCertReq,
  toHex,
  wholeSeconds,
  wrapMessage,
} from "@setlab/protocol";
import type { CallContext, MerchantContext } from "./context";
import type { BrandConfig, MerchantConfig } from "./merchantConfig";

/** What one brand entry's fetch came to. */
export interface GatewayCertificateReport {
  readonly brandID: string;
  readonly gateway: string;
  /** `fetched`: the gateway's certificate is in use now; `kept`: the configured one stays. */
  readonly result: "fetched" | "kept";
  /** SHA-256 of the certificate in use (hex). */
  readonly certificate: string;
  /** Why the configured certificate was kept. */
  readonly reason?: string;
}

async function fetchOne(
  ctx: MerchantContext,
  brand: BrandConfig,
  call: CallContext,
): Promise<FetchedGatewayCertificate> {
  const { p, config } = ctx;
  const now = p.now();
  const rrpid = p.random(20);
  const asked = [{ brandID: brand.brandID }];
  const data: schema.PCertReqData = {
    pCertRRTags: { rrpid, merTermIDs: { merchantID: config.merchantID }, currentDate: wholeSeconds(now) },
    brandAndBINSeq: asked,
  };
  const request = wrapMessage(
    { type: "pCertificateRequest", value: await signPCertReq(p, brand.signer, data) },
    { rrpid },
    { date: wholeSeconds(now), swIdent: config.swIdent },
  );
  const answer = await ctx.gateway.send(brand.gateway.id, request, call);
  const received = await receivePCertRes(
    p,
    answer,
    { rrpid, asked },
    { trust: { ...config.trust, at: p.now() } },
  );
  return received.items[0];
}

const sha256Hex = async (ctx: MerchantContext, der: Uint8Array) =>
  toHex(new Uint8Array(await ctx.p.crypto.subtle.digest("SHA-256", new Uint8Array(der))));

export async function fetchGatewayCertificates(
  ctx: MerchantContext,
  call: CallContext = {},
): Promise<{ config: MerchantConfig; reports: GatewayCertificateReport[] }> {
  const reports: GatewayCertificateReport[] = [];
  const brands: BrandConfig[] = [];
  for (const brand of ctx.config.brands) {
    const base = { brandID: brand.brandID, gateway: brand.gateway.id };
    let fetched: FetchedGatewayCertificate | undefined;
    let reason: string | undefined;
    try {
      fetched = await fetchOne(ctx, brand, call);
      if (fetched.pCertCode !== "success" || !fetched.certificate)
        reason = `the gateway answered ${fetched.pCertCode}`;
    } catch (e) {
      reason = (e as Error).message;
    }
    if (fetched?.certificate && reason === undefined) {
      const chain = fetched.chain ?? [];
      brands.push({ ...brand, gateway: { ...brand.gateway, certificate: fetched.certificate, chain } });
      reports.push({ ...base, result: "fetched", certificate: await sha256Hex(ctx, fetched.certificate) });
    } else {
      brands.push(brand);
      reports.push({
        ...base,
        result: "kept",
        certificate: await sha256Hex(ctx, brand.gateway.certificate),
        reason: reason ?? "no certificate",
      });
    }
  }
  return { config: { ...ctx.config, brands }, reports };
}
