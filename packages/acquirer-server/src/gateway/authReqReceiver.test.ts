import type { SetCertificate } from "@setlab/protocol";
import { defaultPolicy } from "./authorizationPolicy";
import { authReqReceiver, cardCertRequired, type ReceiverSettings } from "./authReqReceiver";
import type { GatewayBrandKeys } from "./gatewayKeys";

const keysOf = (brand: string) =>
  ({ brand, signer: {}, decrypter: { brand } }) as unknown as GatewayBrandKeys;
const kex = (required: boolean) => ({ cardCertRequired: required }) as SetCertificate;
const at = new Date("2026-06-01T10:00:00Z");
const answered = new Map([["0a0b", "fingerprint-1"]]);
const settings: ReceiverSettings = {
  trust: { pinnedRoot: new Uint8Array([1]), intermediates: [] } as unknown as ReceiverSettings["trust"],
  enrolled: { Visa: ["MER-1"], MasterCard: ["MER-2"] },
  policy: { ...defaultPolicy, hardenedRequired: ["Visa"], maxClockSkewMs: 1234 },
  answeredFingerprint: (rrpid) => answered.get(rrpid),
};

describe("cardCertRequired", () => {
  test("the gateway certificate's cardCertRequired wins over a policy that allows unsigned PIs", () => {
    expect(cardCertRequired("MasterCard", kex(true), defaultPolicy)).toBe(true);
  });
  test("without it, the policy's unsignedAllowed decides", () => {
    expect(cardCertRequired("MasterCard", kex(false), defaultPolicy)).toBe(false);
    expect(cardCertRequired("Visa", kex(false), defaultPolicy)).toBe(true);
    expect(cardCertRequired("MasterCard", undefined, { ...defaultPolicy, unsignedAllowed: [] })).toBe(true);
  });
});

describe("authReqReceiver", () => {
  test("states the brand's key, policy and enrolled merchants, at the request's time", () => {
    const r = authReqReceiver(keysOf("Visa"), kex(false), settings, at);
    expect(r.brand).toBe("Visa");
    expect(r.gatewayKex).toEqual({ brand: "Visa" });
    expect(r.trust.at).toBe(at);
    expect(r.now).toBe(at);
    expect(r.maxClockSkewMs).toBe(1234);
    expect(r.enrolledMerIDs).toEqual(["MER-1"]);
    expect(r.hardenedRequired).toBe(true);
    expect(r.cardCertRequired).toBe(true);
  });

  test("another brand gets its own enrolled merchants and policy", () => {
    const r = authReqReceiver(keysOf("MasterCard"), kex(false), settings, at);
    expect(r.enrolledMerIDs).toEqual(["MER-2"]);
    expect(r.hardenedRequired).toBe(false);
    expect(r.cardCertRequired).toBe(false);
  });

  test("answered AuthRRPIDs are looked up by their hex", () => {
    const r = authReqReceiver(keysOf("Visa"), undefined, settings, at);
    expect(r.answered?.fingerprintOf(new Uint8Array([0x0a, 0x0b]))).toBe("fingerprint-1");
    expect(r.answered?.fingerprintOf(new Uint8Array([0x0c]))).toBeUndefined();
  });
});
