/**
 * The demo of what exists today (issue 2): one dual-signed purchase request built by the
 * cardholder's key, verified as the merchant does it, opened and verified as the gateway does it,
 * with real keys, certificates and CMS, in one process. The card, mediator, merchant and gateway
 * processes of the full purchase arrive with issue 4.
 */
import {
  buildPReqDualSigned,
  type CryptoProvider,
  computeHOD,
  decodeDer,
  HMAC,
  nodeProvider,
  openPIDualSigned,
  PurchaseCheckError,
  parseSetCertificate,
  peculiarProvider,
  schema,
  thumbOf,
  verifyPReqAsMerchant,
} from "@setlab/protocol";
import { createTestPki, defaultMerchantData } from "@setlab/protocol/testing";
import { maskPan, short, type Trace } from "./trace";

const utf8 = (s: string) => new TextEncoder().encode(s);

export async function runDemo(trace: Trace): Promise<void> {
  // The card side runs @peculiar/webcrypto, the merchant and gateway Node's WebCrypto: every run is
  // also a small interop test between two crypto implementations.
  const card: CryptoProvider = peculiarProvider();
  const server: CryptoProvider = nodeProvider();
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);

  trace.step("lab", "create a SET certificate hierarchy (test PKI, RSA-2048)");
  const pki = await createTestPki(server.crypto);
  for (const name of ["root", "brandCa", "cardholder", "merchantSig", "gatewayKex"] as const) {
    const cert = parseSetCertificate(pki[name].certificate);
    trace.fact(
      name,
      `${cert.subject}  type=${cert.certificateType?.join(",")}  thumb=${short(await thumbOf(server, cert))}`,
    );
  }

  trace.step("merchant", "issue the transaction identifiers (what PInitRes carries)");
  const transIDs: schema.TransIDs = {
    lid_C: utf8("wallet-1"),
    lid_M: utf8("order-0001"),
    xid: server.random(20),
    pReqDate: now,
    language: "en",
  };
  const chall_M = server.random(20);
  const purchAmt = { currency: 392, amount: 12800, amtExp10: 0 };
  const od = utf8("1 x SET Lab mug, gift-wrapped");
  trace.fact("XID", short(transIDs.xid));
  trace.fact("amount", "JPY 12800");

  trace.step("card", "build OIData, PIHead and PANData; dual-sign; seal the PAN for the gateway");
  const odSalt = card.random(20);
  const hod = await computeHOD(card, { od, purchAmt, odSalt });
  const pan = "4111111111111111113";
  const cardSecret = card.random(20);
  // The card holds its signature key in its own crypto implementation, not extractable.
  const pkcs8 = Buffer.from(pki.cardholder.privateKeyPem.replace(/-----[^-]+-----|\s/g, ""), "base64");
  const cardKey = await card.crypto.subtle.importKey(
    "pkcs8",
    pkcs8,
    { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const built = await buildPReqDualSigned(card, {
    cardholder: {
      certificate: pki.cardholder.certificate,
      privateKey: cardKey,
      chain: pki.intermediatesOf("cardholder"),
    },
    gatewayKexCertificate: pki.gatewayKex.certificate,
    oiData: {
      transIDs,
      rrpid: card.random(20),
      chall_C: card.random(20),
      hod,
      odSalt,
      chall_M,
      brandID: "Visa",
      bin: pan.slice(0, 6),
    },
    piHead: {
      transIDs,
      inputs: { hod, purchAmt },
      merchantID: defaultMerchantData.merID,
      transStain: await HMAC(card, cardSecret, transIDs.xid),
      swIdent: "SETLab-demo/0.1",
    },
    panData: { pan, cardExpiry: "202912", panSecret: card.random(20), exNonce: card.random(20) },
  });
  trace.fact("HOD", short(hod.digest));
  trace.fact("HPIData", short(built.pReq.oiDualSigned.hPIData.digest));
  trace.fact(
    "PISignature (SO)",
    `${built.pReq.piDualSigned.piSignature.length} bytes of CMS SignedData, content detached`,
  );
  trace.fact(
    "EX(P, PI-OILink, PAN)",
    `${built.pReq.piDualSigned.exPIData.length} bytes of CMS EnvelopedData`,
  );
  trace.fact("PAN", `${maskPan(pan)} (inside the gateway's RSA-OAEP block only)`);
  trace.fact("PReq on the wire", `${built.der.length} bytes DER`);

  trace.step(
    "merchant",
    "decode PReq strictly and verify it: it sees OIData and DD(PIData), never PIHead or PANData",
  );
  const pReq = decodeDer(schema.PReq, built.der);
  const merchant = await verifyPReqAsMerchant(
    server,
    pReq,
    { transIDs, chall_M, od, purchAmt, brandID: "Visa", bin: pan.slice(0, 6), cardCertRequired: true },
    { pinnedRoot: pki.root.certificate, at: now },
  );
  trace.fact("TransIDs, Chall-M", "match what the merchant issued");
  trace.fact("HOD", "recomputed from the merchant's own OD and amount: equal");
  trace.fact(
    "dual signature",
    `verifies over {DD(PIData), DD(OIData)}; signer ${merchant.cardholderCertificate?.subject}`,
  );
  trace.fact("cardholder cert", "SET type card, digitalSignature, chain to the pinned root");
  trace.fact(
    "PAN in merchant data",
    Buffer.from(built.der).includes(Buffer.from(pan)) ? "PRESENT (bug)" : "absent",
  );

  trace.step("merchant", "forward the PI with CheckDigests {HOIData, HOD2} (what AuthReq carries)");
  if (pReq.type !== "pReqDualSigned") throw new Error("expected the dual-signed form");
  const ctx = {
    gatewayKex: { certificate: pki.gatewayKex.certificate, privateKey: pki.gatewayKex.privateKey },
    checkDigests: { hOIData: merchant.hOIData, hOD2: merchant.hod },
    merchantID: defaultMerchantData.merID,
    transIDs,
    authReqAmt: purchAmt,
  };
  trace.fact("HOIData", short(merchant.hOIData.digest));

  trace.step("gateway", "open EX, recompute DD(PIData), verify the same dual signature from its side");
  const opened = await openPIDualSigned(server, pReq.value.piDualSigned, ctx, {
    pinnedRoot: pki.root.certificate,
    at: now,
  });
  trace.fact("PAN", `${maskPan(opened.panData?.pan ?? "")} recovered from the RSA-OAEP block`);
  trace.fact("HOIData", "cardholder's copy equals the merchant's CheckDigests");
  trace.fact("HOD", "PIHead.inputs.hod equals the merchant's HOD2");
  trace.fact("MerchantID, XID", "PIHead names this merchant and this transaction");

  trace.step("gateway", "a merchant that inflates the amount is caught");
  try {
    await openPIDualSigned(
      server,
      pReq.value.piDualSigned,
      { ...ctx, authReqAmt: { ...purchAmt, amount: 99999 } },
      {
        pinnedRoot: pki.root.certificate,
        at: now,
      },
    );
    throw new Error("the inflated amount was accepted");
  } catch (e) {
    if (!(e instanceof PurchaseCheckError)) throw e;
    trace.fact("refused", `${e.check} -> SET ErrorCode ${e.code}`);
  }
}
