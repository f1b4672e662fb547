/**
 * What the HTTP shell needs from the CA: look objects up by SET thumbprint, and issue. The server
 * knows nothing else about the CA, so the registration protocols of a later issue can add routes
 * over the same core without touching these.
 */

/**
 * Who asks for an issuance, as the network interface established it. Today one kind, the CA
 * operator (the operator token); SET's registration protocols will add an entity its acquirer or
 * issuer vouched for. The rules per kind: ./issuancePolicy.ts.
 */
export type IssuanceAuthority = { readonly kind: "operator" };

/** An issuance request as the lab accepts it over HTTP. */
export interface IssuanceRequest {
  /** Which CA certifies: a manifest id such as "root" or "visa/mca". */
  readonly ca: string;
  /** A row of the profile table (`profiles.ts`), e.g. "merchantSignature". */
  readonly profile: string;
  /** Subject common name. */
  readonly commonName?: string;
  /** DER SubjectPublicKeyInfo, or */
  readonly spki?: Uint8Array;
  /** a DER PKCS#10 request whose signature proves possession of the key. */
  readonly pkcs10?: Uint8Array;
  /** For a merchant certificate: the merchant it names (its MerchantData). */
  readonly merchant?: {
    readonly merID: string;
    readonly name: string;
    readonly city?: string;
  };
  /** The operator certifies a new key for a merID or name that is already certified (a re-key). */
  readonly approveNewKey?: boolean;
}

export interface IssuedCertificate {
  readonly der: Uint8Array;
  /** SHA-256 of the TBSCertificate, hex. */
  readonly thumb: string;
}

export interface CaBackend {
  certificate(thumb: Uint8Array): Promise<Uint8Array | undefined>;
  crl(thumb: Uint8Array): Promise<Uint8Array | undefined>;
  bci(thumb: Uint8Array): Promise<Uint8Array | undefined>;
  /**
   * Issue under `authority` (undefined: the caller proved nothing). Throws SetError when the request
   * is refused (no authority, a profile not issued over the network, an existing entity, unknown
   * CA, duplicate key, bad PKCS#10...).
   */
  issue(request: IssuanceRequest, authority: IssuanceAuthority | undefined): Promise<IssuedCertificate>;
}
