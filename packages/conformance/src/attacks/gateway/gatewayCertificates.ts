/**
 * The merchant's fetch of the gateway's certificate (PCertReq/PCertRes, patent step S31) through a
 * rogue on the merchant's link to its gateway, who holds a stolen merchant signature key: it
 * answers the PCertReq itself with a PCertRes naming a certificate that is not a payment gateway's
 * key-exchange certificate (the lab merchant's own key-exchange certificate), signed with the
 * stolen key, hoping the merchant seals its next AuthReqs (and hands cardholders, in PInitRes) a
 * key the rogue can open. A merchant (the lab's merchant SDK, run in process over the lab PKI) must
 * keep the certificate its configuration gave.
 */

import { createMerchant } from "@setlab/merchant-server";
import {
  parseSetCertificate,
  receivePCertReq,
  type schema,
  schema as setSchema,
  signPCertRes,
  wrapMessage,
} from "@setlab/protocol";
import type { Attack } from "../attack";
import { startAuthResProxy } from "../toolkit/authResProxy";
import { adversaryProvider, openPki, signerOf } from "../toolkit/stolenKeys";
import { verdict } from "../toolkit/verdict";

export const pCertResNonGateway: Attack = {
  id: "certificate/pcertres-non-gateway",
  category: "certificate",
  title:
    "A rogue on the merchant's gateway link answers its PCertReq with a PCertRes naming a merchant key-exchange certificate as the gateway's, signed with a stolen merchant key.",
  expected:
    "The merchant refuses the PCertRes (invalidCertificate) and keeps the gateway certificate its configuration gave.",
  async run(target) {
    const p = adversaryProvider;
    const pki = openPki(target.pki);
    const stolen = await signerOf(pki, "visa/merchant/signature");
    const offered = pki.certificate("visa/merchant/key-exchange");
    const proxy = await startAuthResProxy(target.gatewayUrl);
    proxy.substitute = async (request) => {
      const received = await receivePCertReq(p, request, {
        trust: { pinnedRoot: pki.root(), at: new Date() },
        now: new Date(),
      });
      const data: schema.PCertResTBS = {
        pCertRRTags: received.data.pCertRRTags,
        pCertResItems: [
          {
            pCertCode: "success",
            certThumb: {
              digestAlgorithm: { algorithm: setSchema.Std.sha256 },
              thumbprint: await parseSetCertificate(offered).thumb(),
            },
          },
        ],
      };
      const value = await signPCertRes(p, { ...stolen, chain: [...(stolen.chain ?? []), offered] }, data);
      return wrapMessage(
        { type: "pCertificateResponse", value },
        { rrpid: data.pCertRRTags.rrpid },
        { date: new Date() },
      );
    };
    const merchant = await createMerchant({
      pki: target.pki,
      db: ":memory:",
      gateways: { Visa: proxy.setUrl },
    });
    try {
      const configured = merchant.config.brands[0].gateway.certificate;
      const [report] = await merchant.refreshGatewayCertificates();
      const inUse = merchant.config.brands[0].gateway.certificate;
      const kept = Buffer.from(inUse).equals(Buffer.from(configured));
      const signal = /^(\w+):/.exec(report.reason ?? "")?.[1] ?? report.result;
      return verdict(target, {
        refused: report.result === "kept" && kept && proxy.exchanges.length === 1,
        refusedBy: "merchant",
        signal,
        changed: kept ? [] : ["the merchant's gateway certificate"],
        detail: `merchant ${report.result} its gateway certificate (${report.reason ?? "no reason"})`,
      });
    } finally {
      await merchant.close();
      await proxy.close();
    }
  },
};
