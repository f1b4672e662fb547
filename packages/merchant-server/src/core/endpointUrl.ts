/**
 * Endpoint URLs from configuration (gateways, the webhook), checked when the merchant starts: a URL
 * the HTTP client could never use must stop the start, not leave the first order in doubt.
 */

/** A configuration the merchant cannot run with; raised at start-up, before any order. */
export class MerchantConfigurationError extends Error {
  override readonly name = "MerchantConfigurationError";
}

/** Ports the Fetch standard's "bad port" list blocks (fetch refuses them before connecting). */
const badPorts = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104,
  109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515,
  526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049,
  3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** Throws MerchantConfigurationError unless `url` is an http(s) URL on a usable port. */
export function checkEndpointUrl(url: string, what: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new MerchantConfigurationError(`${what}: ${JSON.stringify(url)} is not a URL`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    throw new MerchantConfigurationError(`${what}: ${url} must be http: or https:, not ${u.protocol}`);
  if (u.username || u.password)
    throw new MerchantConfigurationError(`${what}: ${u.origin} must not carry credentials in the URL`);
  if (u.hash) throw new MerchantConfigurationError(`${what}: ${url} must not have a #fragment`);
  const port = u.port === "" ? (u.protocol === "https:" ? 443 : 80) : Number(u.port);
  if (port === 0 || badPorts.has(port))
    throw new MerchantConfigurationError(
      `${what}: port ${port} of ${u.origin} is one HTTP clients refuse to connect to (Fetch's bad ports)`,
    );
  return u;
}
