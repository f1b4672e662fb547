import { nodeProvider } from "../crypto/provider";
import { cachedTestKeyPair, createTestParty, createTestPki, type TestPki } from "../testing/pki";
import { verifyNextRoot } from "./rootRollover";

const p = nodeProvider();

let pki: TestPki;
const now = new Date();
beforeAll(async () => {
  pki = await createTestPki();
});

describe("verifyNextRoot", () => {
  test("the root's hashedRootKey admits the next root", async () => {
    const next = await verifyNextRoot(p, pki.root.certificate, pki.nextRoot.certificate, now);
    expect(next.hasRole("rca")).toBe(true);
  });

  test("a root whose key does not match the hash is refused", async () => {
    const keys = await cachedTestKeyPair("impostorRoot", "ca");
    const impostor = await createTestParty(null, {
      name: "SET Lab Root CA 2",
      roles: ["rca"],
      use: "ca",
      keys,
    });
    await expect(verifyNextRoot(p, pki.root.certificate, impostor.certificate, now)).rejects.toMatchObject({
      code: "invalidCertificate",
      message: expect.stringMatching(/does not match the trusted root's hashedRootKey/),
    });
  });

  test("a trusted root without hashedRootKey admits nothing", async () => {
    const keys = await cachedTestKeyPair("root", "ca");
    const bare = await createTestParty(null, { name: "Bare Root", roles: ["rca"], use: "ca", keys });
    await expect(verifyNextRoot(p, bare.certificate, pki.nextRoot.certificate, now)).rejects.toMatchObject({
      message: expect.stringMatching(/names no successor/),
    });
  });

  test("a next root that is itself invalid (expired, not a root) is refused", async () => {
    const later = new Date(now.getTime() + 5 * 365 * 86400_000);
    await expect(
      verifyNextRoot(p, pki.root.certificate, pki.nextRoot.certificate, later),
    ).rejects.toMatchObject({
      code: "expiredCertificate",
    });
    await expect(verifyNextRoot(p, pki.root.certificate, pki.brandCa.certificate, now)).rejects.toMatchObject(
      {
        code: "invalidCertificate",
      },
    );
  });
});
