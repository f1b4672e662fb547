import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { browserSetup, extensionIdOf, shopOrigin } from "./commands/browserSetup";
import type { LabState } from "./labState";

let dir: string;
let state: LabState;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-browser-setup-"));
  const phoneData = path.join(dir, "phone");
  const pairingCodeFile = path.join(dir, "phone-pairing-code");
  fs.writeFileSync(pairingCodeFile, "482913\n", { mode: 0o600 });
  for (const card of ["visa-approve", "mc-nsf"])
    fs.mkdirSync(path.join(phoneData, "cards", card), { recursive: true });
  state = {
    format: "setlab-lab/1",
    started: "2026-01-01T00:00:00Z",
    pki: path.join(dir, "pki"),
    phoneData,
    pin: "1234",
    pairingCodeFile,
    parties: {
      gateway: { url: "http://127.0.0.1:1", pid: 1, log: "" },
      merchant: { url: "http://127.0.0.1:2", pid: 2, log: "" },
      phone: { url: "tcp://127.0.0.1:4567", pid: 3, log: "" },
    },
  };
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Every file under a directory, relative to it. */
function files(root: string): string[] {
  return (fs.readdirSync(root, { recursive: true, encoding: "utf8" }) as string[])
    .filter((f) => fs.statSync(path.join(root, f)).isFile())
    .sort();
}

describe("set-lab browser-setup", () => {
  it("writes the extension, the host manifest and the host program into the profile only", () => {
    const profile = path.join(dir, "profile");
    const s = browserSetup({
      profile,
      state,
      trustedOrigins: ["http://127.0.0.1:8080/", "http://shop.test:81"],
    });
    expect(files(dir).filter((f) => !f.startsWith("phone/") && f !== "phone-pairing-code")).toEqual(
      [
        "NativeMessagingHosts/org.setlab.mediator.json",
        "set-extension/content.js",
        "set-extension/manifest.json",
        "set-extension/panel.css",
        "set-extension/panel.html",
        "set-extension/panel.js",
        "set-extension/trust.json",
        "set-extension/worker.js",
        "set-mediator/native-host",
      ].map((f) => `profile/${f}`),
    );
    for (const d of Object.values(s.hostDirs)) expect(fs.readdirSync(d)).toEqual([]);

    const extensionManifest = JSON.parse(fs.readFileSync(path.join(s.extensionDir, "manifest.json"), "utf8"));
    expect(s.extensionId).toBe(extensionIdOf(extensionManifest.key));
    expect(s.extensionId).toMatch(/^[a-p]{32}$/);
    expect(extensionManifest.content_scripts[0].matches).toEqual([
      "http://127.0.0.1/*",
      "http://shop.test/*",
    ]);
    expect(JSON.parse(fs.readFileSync(path.join(s.extensionDir, "trust.json"), "utf8"))).toEqual({
      origins: ["http://127.0.0.1:8080", "http://shop.test:81"],
    });

    expect(JSON.parse(fs.readFileSync(s.hostManifest, "utf8"))).toEqual({
      name: "org.setlab.mediator",
      description: expect.any(String),
      path: s.hostProgram,
      type: "stdio",
      allowed_origins: [`chrome-extension://${s.extensionId}/`],
    });

    // The pairing code: read from the lab's code file into the host's environment when it starts
    // (the phone renews it after a wrong code), in no file of the profile, never as an argument.
    expect(fs.statSync(s.hostProgram).mode & 0o777).toBe(0o700);
    const program = fs.readFileSync(s.hostProgram, "utf8");
    expect(program).not.toMatch(/--pairing-code/);
    const environment = program.slice(0, program.indexOf("exec "));
    const codeSeen = () =>
      execFileSync("/bin/sh", ["-c", `${environment}\nprintf %s "$SETLAB_PAIRING_CODE"`], {
        encoding: "utf8",
      });
    expect(codeSeen()).toBe("482913");
    fs.writeFileSync(state.pairingCodeFile!, "913579\n", { mode: 0o600 });
    expect(codeSeen()).toBe("913579");
    // keyctl is installed (npm run setup): the host keeps its card-link bond in the kernel keyring
    expect(
      execFileSync("/bin/sh", ["-c", `${environment}\nprintf %s "$SETLAB_BOND_KEYRING"`], {
        encoding: "utf8",
      }),
    ).toBe("1");
    expect(program).toContain("--phone '127.0.0.1:4567'");
    expect(program).toContain("--cards 'mc-nsf,visa-approve'");
    expect(program).toContain(`--allowed-origin 'chrome-extension://${s.extensionId}/'`);
    for (const f of files(profile))
      expect(fs.readFileSync(path.join(profile, f), "utf8")).not.toContain("482913");
  });

  it("computes Chromium's extension ID from the key (SHA-256 of the DER, hex digits as a-p)", () => {
    // SHA-256("") = e3b0c442 98fc1c14 ...: e->o, 3->d, b->l, 0->a ...
    expect(extensionIdOf("")).toBe("odlameecjipmbmbejkplpemijjgpljce");
  });

  it.each([
    ["a path", "http://127.0.0.1:8080/shop"],
    ["another scheme", "ftp://127.0.0.1"],
    ["no URL", "127.0.0.1:8080"],
    ["a query", "http://127.0.0.1:8080/?x=1"],
  ])("refuses a trusted origin with %s", (_what, origin) => {
    expect(() => shopOrigin(origin)).toThrow(/--trust-origin/);
  });

  it("refuses without a trusted origin, and for a lab without a pairing code", () => {
    expect(() => browserSetup({ profile: path.join(dir, "p"), state, trustedOrigins: [] })).toThrow(
      /--trust-origin/,
    );
    const { pairingCodeFile: _, ...old } = state;
    expect(() =>
      browserSetup({ profile: path.join(dir, "p"), state: old, trustedOrigins: ["http://a"] }),
    ).toThrow(/pairing code/);
  });
});
