/** A Visa-only merchant configuration over a protocol test PKI, for the core's unit tests. */
import { defaultMerchantData, type TestPki } from "@setlab/protocol/testing";
import type { MerchantConfig } from "../core/merchantConfig";

export function testMerchantConfig(pki: TestPki, cardCertRequired = true): MerchantConfig {
  const chain = pki.intermediatesOf("merchantSig");
  const sig = { certificate: pki.merchantSig.certificate, privateKey: pki.merchantSig.privateKey };
  return {
    brands: [
      {
        brandID: "Visa",
        signer: { ...sig, chain },
        authSigner: { ...sig, chain: [pki.merchantKex.certificate, ...chain] },
        decrypter: { certificate: pki.merchantKex.certificate, privateKey: pki.merchantKex.privateKey },
        gateway: {
          id: "Visa",
          certificate: pki.gatewayKex.certificate,
          chain: pki.intermediatesOf("gatewayKex"),
        },
        cardCertRequired,
      },
    ],
    merchantID: defaultMerchantData.merID,
    trust: { pinnedRoot: pki.root.certificate },
  };
}
