/**
 * What each brand decides that the CA writes into certificates: whether the brand requires
 * cardholder certificates (SET's cardCertRequired, carried in its payment gateways' certificates,
 * so that a cardholder and a merchant learn it from the gateway certificate they already hold).
 * The lab's brands: Visa requires them (signed PReq only), MasterCard also accepts the unsigned
 * form. A brand not listed requires them: the stricter reading is the safe default.
 */
const cardCertRequiredByBrand: Readonly<Record<string, boolean>> = { Visa: true, MasterCard: false };

export function brandRequiresCardholderCertificates(brand: string): boolean {
  return Object.hasOwn(cardCertRequiredByBrand, brand) ? cardCertRequiredByBrand[brand] : true;
}
