/**
 * `set-mediator inquire` against the real parties (processes from dist, as purchase.e2e.test.ts):
 * after a purchase, the card asks the shop how it ended, relayed by the mediator, and reports the
 * status it verified. Run with an empty working directory, HOME and TMPDIR at the most verbose log
 * level: they stay empty and nothing printed carries the PIN, the PAN or a certificate.
 */
import * as fs from "node:fs";
import {
  contents,
  json,
  LINK_CODE,
  PIN,
  run,
  scripts,
  usePurchaseLab,
} from "./testing/purchaseLab.test-helper";

const lab = usePurchaseLab("setlab-inquiry-");

const inquire = (args: readonly string[], options: Parameters<typeof run>[2] = {}) =>
  run(
    scripts.mediator,
    ["inquire", "--phone", lab.phoneAddress, "--pairing-code", LINK_CODE, ...args],
    options,
  );

describe("set-mediator inquire", () => {
  test("the card asks about its last purchase and shows the merchant's signed status; nothing on disk", async () => {
    const { initiation } = await lab.order();
    const paid = await lab.purchaseCli(["--initiation", initiation, "--card", "visa-approve", "--json"], {
      env: { ...process.env, SETLAB_PIN: PIN },
    });
    expect(paid.code).toBe(0);
    const xid = json(paid).xid as string;

    const cwd = lab.emptyDir("cwd");
    const home = lab.emptyDir("home");
    const tmp = lab.emptyDir("tmp");
    try {
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: home,
        TMPDIR: tmp,
        SETLAB_LOG_LEVEL: "trace",
        SETLAB_PIN: PIN,
      };
      const r = await inquire(["--initiation", initiation, "--card", "visa-approve", "--json"], { cwd, env });
      expect(r.stderr).not.toMatch(/set-mediator:/);
      expect(r.code).toBe(0);
      const outcome = json(r);
      expect(outcome).toMatchObject({ outcome: "approved", completionCode: "authorizationPerformed", xid });
      expect(r.stderr).toContain('"message":"InqRes"');
      expect([...contents(cwd), ...contents(home), ...contents(tmp)]).toEqual([]);
      const printed = r.stdout + r.stderr;
      expect(printed).not.toContain(PIN);
      expect(printed).not.toContain(lab.pki.cards()["visa-approve"].pan);
      expect(printed).not.toMatch(/-----BEGIN|[A-Za-z0-9+/]{100,}/);
    } finally {
      for (const d of [cwd, home, tmp]) fs.rmSync(d, { recursive: true, force: true });
    }
  });

  test("--merchant names the SET endpoint directly; --xid a purchase the card does not remember is the card's refusal, exit 2", async () => {
    const { initiation } = await lab.order();
    const env = { ...process.env, SETLAB_PIN: PIN };
    expect(
      (await lab.purchaseCli(["--initiation", initiation, "--card", "visa-approve"], { env })).code,
    ).toBe(0);
    const setUrl = `${lab.merchant.url}/set`;
    const ok = await inquire(["--merchant", setUrl, "--card", "visa-approve", "--json"], { env });
    expect(json(ok).completionCode).toBe("authorizationPerformed");
    const unknown = await inquire(
      ["--merchant", setUrl, "--card", "visa-approve", "--xid", "ab".repeat(20)],
      { env },
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/set-mediator: refused/);
  });

  test("a mistake in the call: exit 2 with the usage", async () => {
    const r = await inquire(["--card", "visa-approve"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--merchant and --initiation/);
  });
});
