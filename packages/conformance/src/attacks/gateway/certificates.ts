/**
 * Certificate confusion at the gateway (digest 6 rule 4, 7.8): AuthReqs signed with merchant
 * certificates that are expired, not yet valid, revoked or from a foreign hierarchy, or with a
 * certificate of another role; an AuthReq sealed to another brand's gateway; a PI sealed to an
 * accomplice gateway.
 */
import type { Attack } from "../attack";
import type { ForgeOptions } from "../toolkit/authReqForger";
import { forgerOf, missingFixture, sendAndJudge } from "./gatewayVerdict";

const certificateErrors = [
  "invalidCertificate",
  "expiredCertificate",
  "revokedCertificate",
  "missingCertificate",
];

function certificateAttack(spec: {
  id: string;
  title: string;
  expected: string;
  errors: readonly string[];
  fixture?: string;
  options: (f: ReturnType<typeof forgerOf>) => ForgeOptions;
}): Attack {
  return {
    id: spec.id,
    category: "certificate",
    title: spec.title,
    expected: spec.expected,
    async run(target) {
      const f = forgerOf(target);
      if (spec.fixture && !f.has(spec.fixture)) missingFixture(spec.fixture);
      const req = await f.forge(spec.options(f));
      return sendAndJudge(target, req.bytes, req.xidHex, { errors: spec.errors });
    },
  };
}

export const certificateAttacks: readonly Attack[] = [
  certificateAttack({
    id: "certificate/authreq-merchant-expired",
    title: "The AuthReq is signed with a merchant certificate (SETLAB-MER-0001) that expired yesterday.",
    expected: "SET Error expiredCertificate; no authorization.",
    errors: ["expiredCertificate"],
    fixture: "attack/visa/merchant-expired/signature",
    options: () => ({ merchantSignerId: "attack/visa/merchant-expired/signature" }),
  }),
  certificateAttack({
    id: "certificate/authreq-merchant-not-yet-valid",
    title: "The AuthReq is signed with a merchant certificate valid only from 30 days ahead.",
    expected: "SET Error (a certificate error: invalid or expired); no authorization.",
    errors: ["invalidCertificate", "expiredCertificate"],
    fixture: "attack/visa/merchant-future/signature",
    options: () => ({ merchantSignerId: "attack/visa/merchant-future/signature" }),
  }),
  certificateAttack({
    id: "certificate/authreq-merchant-revoked",
    title:
      "The AuthReq is signed with a merchant certificate revoked in the Visa MCA's CRL named by the current BCI.",
    expected: "SET Error revokedCertificate; no authorization.",
    errors: ["revokedCertificate"],
    fixture: "attack/visa/merchant-revoked/signature",
    options: () => ({ merchantSignerId: "attack/visa/merchant-revoked/signature" }),
  }),
  certificateAttack({
    id: "certificate/authreq-merchant-foreign-root",
    title:
      "The AuthReq is signed with a merchant certificate (SETLAB-MER-0001) whose chain ends at a root nobody pins.",
    expected: "SET Error invalidCertificate; no authorization.",
    errors: ["invalidCertificate"],
    fixture: "attack/foreign/visa/merchant/signature",
    options: () => ({ merchantSignerId: "attack/foreign/visa/merchant/signature" }),
  }),
  certificateAttack({
    id: "certificate/authreq-signed-with-gateway-certificate",
    title:
      "The AuthReq is signed with the Visa gateway's own signature certificate and key, not a merchant's.",
    expected: "SET Error invalidCertificate (not a merchant certificate); no authorization.",
    errors: certificateErrors,
    options: () => ({ merchantSignerId: "visa/gateway/signature" }),
  }),
  certificateAttack({
    id: "certificate/authreq-signed-with-cardholder-certificate",
    title: "The AuthReq is signed with a cardholder's certificate and key, not a merchant's.",
    expected: "SET Error invalidCertificate (not a merchant certificate); no authorization.",
    errors: certificateErrors,
    options: () => ({ merchantSignerId: "visa/cards/visa-approve" }),
  }),
  certificateAttack({
    id: "certificate/authreq-sealed-to-other-brand-gateway",
    title:
      "A Visa merchant's AuthReq for a Visa card is sealed to the MasterCard gateway's key-exchange certificate.",
    expected: "SET Error invalidCertificate (the merchant's brand is not the gateway's); no authorization.",
    errors: ["invalidCertificate"],
    options: (f) => ({ sealTo: f.gatewayKex("MasterCard") }),
  }),
  certificateAttack({
    id: "certificate/authreq-carries-no-merchant-key-exchange",
    title: "The AuthReq carries no merchant key-exchange certificate for the gateway to seal the AuthRes to.",
    expected: "SET Error missingCertificate; no authorization.",
    errors: ["missingCertificate"],
    options: () => ({ carriedKexId: null }),
  }),
  certificateAttack({
    id: "certificate/authreq-carries-another-merchants-key-exchange",
    title:
      "Merchant B (valid certificates, unknown to the gateway) signs an AuthReq but carries the lab merchant's key-exchange certificate, so the AuthRes would go to another merchant.",
    expected:
      "SET Error invalidCertificate (the key-exchange certificate is another merID's); no authorization.",
    errors: ["invalidCertificate"],
    fixture: "attack/visa/merchant-b/signature",
    options: () => ({
      merchantSignerId: "attack/visa/merchant-b/signature",
      merID: "SETLAB-MER-0002",
      carriedKexId: "visa/merchant/key-exchange",
    }),
  }),
  certificateAttack({
    id: "certificate/pi-sealed-to-accomplice-gateway",
    title:
      "The PI is sealed to an accomplice gateway's (valid, same-brand) key and delivered to the real gateway.",
    expected: "SET Error decodingFailure (the one decryption error); no authorization.",
    errors: ["decodingFailure"],
    fixture: "attack/visa/accomplice-gateway/key-exchange",
    options: (f) => ({ piSealTo: f.pki.certificate("attack/visa/accomplice-gateway/key-exchange") }),
  }),
];
