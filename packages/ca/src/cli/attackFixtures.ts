/**
 * The lab PKI's attack fixtures (`attack/...` ids of the manifest): certificates that relying
 * parties must refuse, or that only an adversary would hold. A second merchant and a second Visa
 * gateway; merchant signature and gateway key-exchange certificates that are expired, not yet
 * valid, or revoked (on their CA's first CRL, which the brand's BCI names); a revoked cardholder;
 * and a complete Visa hierarchy under a root nobody pins. As data: `set-ca init` issues each row
 * with the same code as the lab's own certificates.
 */
import type { schema } from "@setlab/protocol";
import type { ProfileName } from "../profiles";
import { attackTestCards, type TestCard } from "../testCards";

export type FixtureValidity = "expired" | "future";

export interface AttackEndEntity {
  readonly id: string;
  /** Manifest id of the issuing CA. */
  readonly issuer: string;
  readonly profile: ProfileName;
  readonly commonName: string;
  readonly merchantData?: schema.MerchantData;
  readonly card?: TestCard;
  readonly validity?: FixtureValidity;
  readonly revoked?: boolean;
}

/** Key slots of the foreign hierarchy (createHierarchy's naming), generated with the lab's own. */
export const foreignRootId = "attack/foreign/root";
/** Manifest id of a foreign CA: `attack/foreign/visa/mca`. */
export const foreignCaId = (role: string) => `attack/foreign/visa/${role}`;
export const attackCardsFile = "attack/cards.json";

const DAY = 86400_000;

/** The validity a fixture is issued with, relative to `now`. */
export function fixtureValidity(kind: FixtureValidity, now: Date): { notBefore: Date; notAfter: Date } {
  return kind === "expired"
    ? { notBefore: new Date(now.getTime() - 30 * DAY), notAfter: new Date(now.getTime() - DAY) }
    : { notBefore: new Date(now.getTime() + 30 * DAY), notAfter: new Date(now.getTime() + 395 * DAY) };
}

function merchantData(merID: string, name: string): schema.MerchantData {
  return {
    merID,
    merAcquirerBIN: "411111",
    merNameSeq: [{ language: "en", name, city: "Kawasaki", countryName: "Japan" }],
    merCountry: 392,
    merAuthFlag: true,
  };
}

const labShop = merchantData("SETLAB-MER-0001", "SET Lab Shop");
const otherShop = merchantData("SETLAB-MER-0002", "SET Lab Other Shop");
const revokedCard = attackTestCards.find((c) => c.id === "visa-revoked") as TestCard;

export const attackEndEntities: readonly AttackEndEntity[] = [
  {
    id: "attack/visa/merchant-b/signature",
    issuer: "visa/mca",
    profile: "merchantSignature",
    commonName: "SET Lab Other Shop",
    merchantData: otherShop,
  },
  {
    id: "attack/visa/merchant-b/key-exchange",
    issuer: "visa/mca",
    profile: "merchantKeyExchange",
    commonName: "SET Lab Other Shop",
    merchantData: otherShop,
  },
  {
    id: "attack/visa/accomplice-gateway/signature",
    issuer: "visa/pca",
    profile: "gatewaySignature",
    commonName: "Visa Accomplice Gateway",
  },
  {
    id: "attack/visa/accomplice-gateway/key-exchange",
    issuer: "visa/pca",
    profile: "gatewayKeyExchange",
    commonName: "Visa Accomplice Gateway",
  },
  ...(["expired", "future", "revoked"] as const).flatMap((kind): AttackEndEntity[] => {
    const state = kind === "revoked" ? { revoked: true } : { validity: kind };
    return [
      {
        id: `attack/visa/merchant-${kind}/signature`,
        issuer: "visa/mca",
        profile: "merchantSignature",
        commonName: "SET Lab Shop",
        merchantData: labShop,
        ...state,
      },
      {
        id: `attack/visa/gateway-${kind}/key-exchange`,
        issuer: "visa/pca",
        profile: "gatewayKeyExchange",
        commonName: "Visa Lab Gateway",
        ...state,
      },
    ];
  }),
  {
    id: "attack/visa/cardholder-revoked/signature",
    issuer: "visa/cca",
    profile: "cardholderSignature",
    commonName: revokedCard.id,
    card: revokedCard,
    revoked: true,
  },
  {
    id: "attack/foreign/visa/merchant/signature",
    issuer: foreignCaId("mca"),
    profile: "merchantSignature",
    commonName: "SET Lab Shop",
    merchantData: labShop,
  },
  {
    id: "attack/foreign/visa/gateway/key-exchange",
    issuer: foreignCaId("pca"),
    profile: "gatewayKeyExchange",
    commonName: "Visa Lab Gateway",
  },
];

/** How many end-entity keys of each use the fixtures need. */
export function attackKeyCount(use: "signature" | "keyEncipherment"): number {
  return attackEndEntities.filter((e) => e.profile.endsWith("KeyExchange") === (use === "keyEncipherment"))
    .length;
}
