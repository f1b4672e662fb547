/** LabPki over a real `set-ca init` directory (the CA's built CLI), attack fixtures included. */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { defaultProvider } from "@setlab/protocol";
import { LabPki } from "./labPki";
import { LabPkiError } from "./labPkiError";
import { seedLabPki } from "./testing/labPkiSeed";

let work: string;
let pki: LabPki;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-labpki-"));
  seedLabPki(path.join(work, "pki"));
  pki = LabPki.open(path.join(work, "pki"));
}, 120_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const attackIds = [
  "attack/visa/merchant-b/signature",
  "attack/visa/merchant-b/key-exchange",
  "attack/visa/accomplice-gateway/signature",
  "attack/visa/accomplice-gateway/key-exchange",
  "attack/visa/merchant-expired/signature",
  "attack/visa/merchant-future/signature",
  "attack/visa/merchant-revoked/signature",
  "attack/visa/gateway-expired/key-exchange",
  "attack/visa/gateway-future/key-exchange",
  "attack/visa/gateway-revoked/key-exchange",
  "attack/visa/cardholder-revoked/signature",
  "attack/foreign/visa/merchant/signature",
  "attack/foreign/visa/gateway/key-exchange",
];

describe("LabPki", () => {
  it("gives entry, certificate, chain and private key of every attack fixture", async () => {
    for (const id of attackIds) {
      expect(pki.entry(id).id).toBe(id);
      const cert = pki.certificate(id);
      expect(cert[0]).toBe(0x30);
      const foreign = id.startsWith("attack/foreign/");
      const chain = pki.chain(id);
      expect(chain).toHaveLength(2);
      expect(chain[0]).toEqual(
        pki.certificate(
          foreign ? `attack/foreign/visa/${id.includes("merchant") ? "mca" : "pca"}` : pki.entry(id).issuer,
        ),
      );
      const use = id.endsWith("key-exchange") ? "keyEncipherment" : "signature";
      const key = await pki.privateKey(id, use, defaultProvider);
      expect(key.type).toBe("private");
    }
    expect(pki.certificate("attack/foreign/root")).not.toEqual(pki.root());
  });

  it("reads the attack cards apart from the test cards", () => {
    expect(Object.keys(pki.attackCards())).toEqual(["visa-revoked"]);
    expect(pki.attackCards()["visa-revoked"]).toMatchObject({ brand: "Visa", outcome: "approve" });
    expect(pki.cards()["visa-revoked"]).toBeUndefined();
  });

  it("gives each brand's current BCI and every CRL", () => {
    expect(pki.bci("Visa")?.[0]).toBe(0x30);
    expect(pki.bci("Nobody")).toBeUndefined();
    expect(pki.crls().length).toBeGreaterThanOrEqual(9);
  });

  it("refuses an unknown id and a wrong passphrase with a LabPkiError", async () => {
    expect(() => pki.entry("attack/nothing")).toThrow(LabPkiError);
    await expect(
      pki.privateKey("attack/visa/merchant-b/signature", "signature", defaultProvider, "wrong"),
    ).rejects.toThrow(LabPkiError);
  });
});
