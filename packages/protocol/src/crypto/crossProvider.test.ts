import { ContentType } from "../schema/oids";
import { Enc, openEnc } from "./enc";
import { EXH, openEXH } from "./extraEnvelope";
import { derOf, pkiFor, signerOf } from "./fixtures.test-helper";
import { type CryptoProvider, nodeProvider, peculiarProvider } from "./provider";

/** Move a PKCS#8 PEM private key into another WebCrypto implementation. */
async function importPem(
  p: CryptoProvider,
  pem: string,
  algorithm: RsaHashedImportParams,
  usages: KeyUsage[],
) {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64");
  return p.crypto.subtle.importKey("pkcs8", new Uint8Array(der), algorithm, false, usages);
}

describe("messages cross between the two providers (card and PC run different stacks)", () => {
  const node = nodeProvider();
  const peculiar = peculiarProvider();
  const encTypes = { signed: ContentType.AuthReqTBS, enveloped: ContentType.AuthReqTBE };
  const t = derOf("cross");

  it("made under node, opened under @peculiar/webcrypto, and back", async () => {
    const pki = await pkiFor(node);
    const gatewayUnderPeculiar = {
      certificate: pki.gatewayKex.certificate,
      privateKey: await importPem(
        peculiar,
        pki.gatewayKex.privateKeyPem,
        { name: "RSA-OAEP", hash: "SHA-256" },
        ["decrypt"],
      ),
    };
    const msg = await Enc(node, signerOf(pki, "merchantSig"), pki.gatewayKex.certificate, encTypes, t);
    expect((await openEnc(peculiar, gatewayUnderPeculiar, msg, encTypes)).content).toEqual(t);

    const cardholderUnderPeculiar = {
      ...signerOf(pki, "cardholder"),
      privateKey: await importPem(
        peculiar,
        pki.cardholder.privateKeyPem,
        { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
        ["sign"],
      ),
    };
    const back = await Enc(peculiar, cardholderUnderPeculiar, pki.gatewayKex.certificate, encTypes, t);
    const gatewayUnderNode = {
      certificate: pki.gatewayKex.certificate,
      privateKey: pki.gatewayKex.privateKey,
    };
    expect((await openEnc(node, gatewayUnderNode, back, encTypes)).signerCertificate).toEqual(
      pki.cardholder.certificate,
    );

    const types = { contentType: ContentType.PIUnsignedTBE, extraContentType: ContentType.PANToken };
    const exh = await EXH(peculiar, pki.gatewayKex.certificate, types, t, derOf("PANToken"));
    expect((await openEXH(node, gatewayUnderNode, exh, types)).extra).toEqual(derOf("PANToken"));
  });
});
