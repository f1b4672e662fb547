import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LabPkiError } from "./labPkiError";
import {
  type LabPkiManifest,
  labPkiFormat,
  manifestFile,
  readLabPkiManifest,
  writeLabPkiManifest,
} from "./labPkiManifest";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-manifest-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const manifest: LabPkiManifest = {
  format: labPkiFormat,
  created: "2026-12-06T00:00:00.000Z",
  brands: ["Visa"],
  nextRootKey: "root-next.key.pem",
  cards: "cards.json",
  certificates: [],
  crls: [],
  bcis: [],
};

const write = (text: string) => fs.writeFileSync(path.join(dir, manifestFile), text);

function refusal(): string {
  try {
    readLabPkiManifest(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(LabPkiError);
    expect((e as Error).message).not.toContain("\n");
    return (e as Error).message;
  }
  throw new Error("accepted");
}

describe("the lab PKI manifest", () => {
  it("reads back what was written", () => {
    writeLabPkiManifest(dir, manifest);
    expect(readLabPkiManifest(dir)).toEqual(manifest);
  });

  it("names a directory without a manifest in one line", () => {
    expect(refusal()).toBe(
      `${dir} is not a lab PKI directory (cannot read manifest.json: no such file or directory)`,
    );
  });

  it("refuses text that is not JSON", () => {
    write("{ not json");
    expect(refusal()).toMatch(/manifest\.json is not valid JSON$/);
  });

  it.each([
    ["another format", { ...manifest, format: "setlab-pki/0" }],
    ["no certificate list", { ...manifest, certificates: undefined }],
    ["no CRL list", { ...manifest, crls: {} }],
    ["no BCI list", { ...manifest, bcis: undefined }],
    ["no brand list", { ...manifest, brands: "Visa" }],
    ["no cards file", { ...manifest, cards: undefined }],
    ["a JSON array", []],
    ["JSON null", null],
  ])("refuses a manifest with %s", (_what, value) => {
    write(JSON.stringify(value));
    expect(refusal()).toMatch(/manifest\.json is not a setlab-pki\/1 manifest$/);
  });
});
