/** The merchant receives PCertRes (digest 3.7; patent step S31). */
import { decodeDer } from "../asn1/codec";
import { bytesEqual } from "../asn1/tlv";
import { refuseUnvalidatedCarried } from "../cert/carriedCertificates";
import type { ValidatedChain } from "../cert/chain";
import { sha256 } from "../cert/digest";
import { namingSigner } from "../cert/errorThumb";
import { sameParty } from "../cert/sameParty";
import { parseSetCertificate, type SetCertificate } from "../cert/setCertificate";
import type { Trust } from "../cert/trust";
import type { CryptoProvider } from "../crypto/provider";
import { verifyS } from "../crypto/signedMessage";
import { namingCertificate, SetError } from "../errors";
import { ContentType } from "../schema/oids";
import { type PCertReqData, PCertResTBS } from "../schema/payment";

type BrandAndBIN = PCertReqData["brandAndBINSeq"][number];
type PCertCode = PCertResTBS["pCertResItems"][number]["pCertCode"];

import { thumbNames } from "./checks";
import { asRead, bodyOf, type Incoming } from "./incoming";
import { checkPartyCertificate } from "./partyCertificate";
import { checkWrapperIds } from "./wrapperIds";

export interface PCertResExpectations {
  /** The RRPID of our PCertReq. */
  readonly rrpid: Uint8Array;
  /** What it asked, in its order. */
  readonly asked: readonly BrandAndBIN[];
}

export interface FetchedGatewayCertificate {
  readonly asked: BrandAndBIN;
  readonly pCertCode: PCertCode;
  /** For a success: the gateway's key-exchange certificate (DER), validated for the brand. */
  readonly certificate?: Uint8Array;
  /** Its CA certificates as carried (DER), issuer first. */
  readonly chain?: readonly Uint8Array[];
}

export interface ReceivedPCertRes {
  readonly data: PCertResTBS;
  /** The gateway's signature certificate. */
  readonly gateway: SetCertificate;
  readonly items: readonly FetchedGatewayCertificate[];
}

/**
 * Every check of a PCertRes, the trust decision of a fetched gateway certificate: the message type
 * (an Error is the gateway's answer: RemoteSetError); the signature over PCertResTBS
 * (signatureFailure); PCertRRTags' RRPID ours (unknownRRPID) and the header's equal to it
 * (wrapperMsgMismatch); one item per BrandAndBIN asked (wrapperMsgMismatch). For each success: the
 * certificate its thumbprint names is carried (missingCertificate), is a gateway (pgwy)
 * key-exchange certificate of the brand asked, chained to the pinned root (invalidCertificate and
 * the chain's codes), and belongs to the gateway that signed (same subject and CA:
 * invalidCertificate); the signer is a pgwy signature certificate of that brand chained to the
 * root. Nothing is carried off those paths. A certificate that passes is as good as one from
 * configuration: the pinned root vouches for both.
 */
export async function receivePCertRes(
  p: CryptoProvider,
  message: Incoming,
  expected: PCertResExpectations,
  receiver: { readonly trust: Trust },
): Promise<ReceivedPCertRes> {
  const { wrapper } = asRead(message);
  const body = await bodyOf(p, wrapper, "pCertificateResponse", { trust: receiver.trust, roles: ["pgwy"] });
  const verified = await namingSigner(body, [], () =>
    verifyS(p, body, { contentType: ContentType.PCertResTBS }),
  );
  const data = decodeDer(PCertResTBS, verified.content, "PCertResTBS");
  if (!bytesEqual(data.pCertRRTags.rrpid, expected.rrpid))
    throw new SetError("unknownRRPID", "PCertRRTags.rrpid is not our PCertReq's", "PCertResTBS.pCertRRTags");
  checkWrapperIds(wrapper.messageHeader, { rrpid: data.pCertRRTags.rrpid });
  if (data.pCertResItems.length !== expected.asked.length)
    throw new SetError(
      "wrapperMsgMismatch",
      `the PCertRes answers ${data.pCertResItems.length} items, the PCertReq asked ${expected.asked.length}`,
      "PCertResTBS.pCertResItems",
    );
  const carried = verified.certificates;
  const brands = new Set(
    expected.asked.filter((_, i) => data.pCertResItems[i].pCertCode === "success").map((a) => a.brandID),
  );
  if (brands.size > 1)
    throw new SetError(
      "invalidCertificate",
      "one PCertRes signer cannot vouch for several brands",
      "PCertResTBS",
    );
  const [brand] = [...brands];
  const signerChain = await checkPartyCertificate(p, verified.signerCertificate, carried, receiver.trust, {
    role: "pgwy",
    use: "signature",
    ...(brand !== undefined ? { brand } : {}),
  });
  const gateway = signerChain.leaf;
  const paths: ValidatedChain[] = [signerChain];
  const items: FetchedGatewayCertificate[] = [];
  for (const [i, item] of data.pCertResItems.entries()) {
    const asked = expected.asked[i];
    if (item.pCertCode !== "success") {
      items.push({ asked, pCertCode: item.pCertCode });
      continue;
    }
    const named = item.certThumb;
    const der = named && (await findByThumb(carried, named));
    if (!der)
      throw new SetError(
        "missingCertificate",
        "a success names no certificate the PCertRes carries",
        "PCertResItem.certThumb",
      );
    const chain = await checkPartyCertificate(p, der, carried, receiver.trust, {
      role: "pgwy",
      use: "keyEncipherment",
      brand: asked.brandID,
    });
    if (!sameParty(chain.leaf, gateway))
      throw namingCertificate(
        new SetError("invalidCertificate", "the certificate is not the signing gateway's", chain.leaf.where),
        sha256(chain.leaf.tbs),
      );
    paths.push(chain);
    items.push({
      asked,
      pCertCode: "success",
      certificate: der,
      chain: chain.path.slice(1, -1).map((c) => c.der),
    });
  }
  refuseUnvalidatedCarried(carried, paths, "PCertRes.certificates");
  return { data, gateway, items };
}

async function findByThumb(
  carried: readonly Uint8Array[],
  named: Parameters<typeof thumbNames>[0],
): Promise<Uint8Array | undefined> {
  for (const der of carried) {
    try {
      if (thumbNames(named, await parseSetCertificate(der).thumb())) return der;
    } catch {
      // an unreadable carried certificate names nothing; refuseUnvalidatedCarried refuses it
    }
  }
  return undefined;
}
