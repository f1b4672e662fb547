/**
 * LabRevocationSource over a real `set-ca init` directory, changed by the CA's built CLI as an
 * operator would (`revoke`, `crl`, `bci`) while the source is open. Reloads are driven by
 * `refresh()`, never by the timer.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkRevocation, nodeProvider, parseSetCertificate, SetError } from "@setlab/protocol";
import { LabPki } from "./labPki";
import { readLabPkiManifest, writeLabPkiManifest } from "./labPkiManifest";
import { LabRevocationSource, type RevocationEvent, withCurrentRevocation } from "./labRevocation";
import { seedLabPki } from "./testing/labPkiSeed";

const p = nodeProvider();
const caCli = path.join(__dirname, "../../ca/dist/cli.js");
let work: string;
let dir: string;
let source: LabRevocationSource;
const events: RevocationEvent[] = [];
const ca = (...args: string[]) => execFileSync("node", [caCli, ...args, "--dir", dir], { encoding: "utf8" });

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-revocation-"));
  dir = path.join(work, "pki");
  seedLabPki(dir);
  source = await LabRevocationSource.open(dir, p, { log: (e) => events.push(e) });
}, 180_000);
afterAll(() => {
  source?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

const cardId = "visa/cards/visa-approve";
async function cardStatus(): Promise<string> {
  const pki = LabPki.open(dir);
  const pathOf = [pki.certificate(cardId), ...pki.chain(cardId), pki.root()].map((d) =>
    parseSetCertificate(d),
  );
  try {
    await checkRevocation(p, pathOf, { ...source.current().Visa.material, at: new Date() });
    return "good";
  } catch (e) {
    if (e instanceof SetError) return e.code;
    throw e;
  }
}

/** Append a manifest change by hand, as a broken or rolled-back publication would look. */
function editManifest(edit: (m: ReturnType<typeof readLabPkiManifest>) => object) {
  writeLabPkiManifest(dir, edit(readLabPkiManifest(dir)) as ReturnType<typeof readLabPkiManifest>);
}

describe("LabRevocationSource", () => {
  it("starts with every brand's BCI; an unchanged manifest is not read again", async () => {
    expect(Object.keys(source.current()).sort()).toEqual(["MasterCard", "Visa"]);
    expect(events.at(-1)).toMatchObject({ event: "revocationLoaded" });
    const before = source.current();
    expect(await source.refresh()).toBe(false);
    expect(source.current()).toBe(before);
  });

  it("takes a revocation the CA publishes (revoke, crl, bci) without a restart, and the live Trust sees it", async () => {
    const trust = withCurrentRevocation({ pinnedRoot: new Uint8Array(0) }, source);
    const was = source.current().Visa.sequenceNum;
    const oldTrustMaterial = { ...trust }.revocation;
    expect(await cardStatus()).toBe("good");
    const serial = readLabPkiManifest(dir).certificates.find((c) => c.id === cardId)!.serial;
    ca("revoke", "--serial", serial);
    ca("crl", "--ca", "visa/cca");
    // A CRL without a new BCI changes nothing the BCI names.
    expect(await source.refresh()).toBe(true);
    expect(await cardStatus()).toBe("good");
    ca("bci", "--brand", "Visa");
    expect(await source.refresh()).toBe(true);
    expect(source.current().Visa.sequenceNum).toBeGreaterThan(was);
    expect(await cardStatus()).toBe("revokedCertificate");
    const read = { ...trust }.revocation;
    expect(read?.Visa).toBe(source.current().Visa.material);
    expect(read).not.toBe(oldTrustMaterial);
  });

  const refused = async (change: () => void, why: RegExp) => {
    const before = source.current();
    change();
    expect(await source.refresh()).toBe(false);
    expect(source.current()).toBe(before);
    const last = events.at(-1);
    expect(last?.event).toBe("revocationRefused");
    expect(last && "reason" in last ? last.reason : "").toMatch(why);
  };

  it("refuses a manifest it cannot read whole, and takes it once it is whole", async () => {
    const good = fs.readFileSync(path.join(dir, "manifest.json"), "utf8");
    await refused(
      () => fs.writeFileSync(path.join(dir, "manifest.json"), good.slice(0, 200)),
      /not valid JSON/,
    );
    fs.writeFileSync(path.join(dir, "manifest.json"), good);
    expect(await source.refresh()).toBe(true);
  });

  it("refuses a BCI file that does not parse and keeps the previous material", async () => {
    fs.writeFileSync(path.join(dir, "visa/bci-999.pem"), "-----BEGIN X-----\nAAAA\n-----END X-----\n");
    await refused(
      () =>
        editManifest((m) => ({
          ...m,
          bcis: [...m.bcis, { brand: "Visa", sequenceNum: 999, thumb: "00", file: "visa/bci-999.pem" }],
        })),
      /malformed DER.*BrandCRLIdentifier/,
    );
    editManifest((m) => ({ ...m, bcis: m.bcis.filter((b) => b.sequenceNum !== 999) }));
    await source.refresh();
  });

  it("refuses a BCI older than the one in use (the directory rolled back)", async () => {
    const first = readLabPkiManifest(dir).bcis.find((b) => b.brand === "Visa")!;
    await refused(() => editManifest((m) => ({ ...m, bcis: [...m.bcis, first] })), /older than/);
    editManifest((m) => ({ ...m, bcis: m.bcis.slice(0, -1) }));
    await source.refresh();
  });

  it("refuses a CRL that does not parse", async () => {
    fs.writeFileSync(
      path.join(dir, "crl/bad.crl.pem"),
      "-----BEGIN X509 CRL-----\nMAMCAQE=\n-----END X509 CRL-----\n",
    );
    await refused(
      () =>
        editManifest((m) => ({
          ...m,
          crls: [...m.crls, { ca: "visa/cca", number: 99, thumb: "00", file: "crl/bad.crl.pem" }],
        })),
      /not an X\.509 CRL/,
    );
    editManifest((m) => ({ ...m, crls: m.crls.filter((c) => c.number !== 99) }));
    expect(await source.refresh()).toBe(true);
  });

  it("refuses a BCI that names a CRL the directory does not hold", async () => {
    const m = readLabPkiManifest(dir);
    const named = m.crls.at(-1)!;
    await refused(
      () => editManifest((x) => ({ ...x, crls: x.crls.filter((c) => c.file !== named.file) })),
      /not supplied/,
    );
    writeLabPkiManifest(dir, m);
    expect(await source.refresh()).toBe(true);
  });
});
