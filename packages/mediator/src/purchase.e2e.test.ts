/**
 * The mediator against the real parties, each its own process: a lab PKI from `set-ca init`, the
 * phone (`set-phone personalize` then `serve`), the gateway (`set-gateway serve`) and the merchant
 * (`set-merchant serve`). The mediator runs as `dist/cli.js purchase` in a child process, or as a
 * library (`runPurchase`) where the test needs to look inside (the PIN buffer, the steps).
 *
 * The key test: the CLI runs with its working directory, HOME and TMPDIR in fresh empty
 * directories, at the most verbose log level; afterwards those directories are still empty, and
 * nothing it printed carries the PAN, the PANSecret, the PIN or any certificate (PEM or base64).
 *
 * Needs the packages built (`npx tsc -b`; `npm test` does that first). Without a dist the suite
 * fails with the list of what is missing: it never skips.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { BondCache } from "@setlab/protocol/card-link";
import { KeyringBondKeeper } from "@setlab/runtime/client";
import { loadInitiation } from "./initiation";
import { runPurchase, type Step } from "./mediator";
import {
  contents,
  json,
  LINK_CODE,
  PIN,
  run,
  scripts,
  usePurchaseLab,
} from "./testing/purchaseLab.test-helper";

const lab = usePurchaseLab("setlab-mediator-");

/** A new order in the shop's back office; its initiation object's URL. */
async function order(brand = "Visa", amount = 12800): Promise<string> {
  return (await lab.order({ brand, amount })).initiation;
}

describe("set-mediator purchase against the real phone, merchant and gateway", () => {
  test("writes nothing to disk and prints no PAN, secret, PIN or certificate", async () => {
    const cwd = lab.emptyDir("cwd");
    const home = lab.emptyDir("home");
    const tmp = lab.emptyDir("tmp");
    try {
      const initiation = await order("Visa");
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: home,
        USERPROFILE: home,
        TMPDIR: tmp,
        TMP: tmp,
        TEMP: tmp,
        SETLAB_LOG_LEVEL: "trace",
      };
      const r = await lab.purchaseCli(
        ["--initiation", initiation, "--card", "visa-approve", "--pin", PIN, "--json"],
        {
          cwd,
          env,
        },
      );
      expect(r.stderr).not.toMatch(/set-mediator:/);
      expect(r.code).toBe(0);
      const outcome = json(r);
      expect(outcome.outcome).toBe("approved");
      expect(outcome.completionCode).toBe("authorizationPerformed");
      expect(outcome.xid).toMatch(/^[0-9a-f]{40}$/);
      // The logs at trace level did speak: the check below is not vacuous.
      expect(r.stderr).toContain('"step":"S38-S41"');

      expect(contents(cwd)).toEqual([]);
      expect(contents(home)).toEqual([]);
      expect(contents(tmp)).toEqual([]);

      const printed = r.stdout + r.stderr;
      const cards = lab.pki.cards();
      for (const card of Object.values(cards)) {
        expect(printed).not.toContain(card.pan);
        expect(printed).not.toContain(card.panSecret);
        expect(printed).not.toContain(card.panSecret.toUpperCase());
      }
      expect(printed).not.toContain(PIN);
      expect(printed).not.toMatch(/-----BEGIN/);
      for (const id of [
        "root",
        "visa/cards/visa-approve",
        "visa/merchant/signature",
        "visa/gateway/key-exchange",
      ]) {
        const der = Buffer.from(lab.pki.certificate(id));
        expect(printed).not.toContain(der.toString("base64").slice(0, 64));
        expect(printed).not.toContain(der.subarray(0, 64).toString("hex"));
      }
      // No long base64 or hex run at all: message bytes never reach the output, only sizes.
      expect(printed).not.toMatch(/[A-Za-z0-9+/]{100,}={0,2}/);
      expect(printed.replace(/"xid":"[0-9a-f]{40}"|XID\s+[0-9a-f]{40}/g, "")).not.toMatch(/[0-9a-fA-F]{64,}/);
    } finally {
      for (const d of [cwd, home, tmp]) fs.rmSync(d, { recursive: true, force: true });
    }
  });

  test("the human summary names the outcome and every hop", async () => {
    const r = await lab.purchaseCli([
      "--initiation",
      await order("MasterCard", 900),
      "--card",
      "mc-approve",
      "--pin",
      PIN,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^approved\n/);
    for (const s of ["S32", "S33", "S34-S35", "S36-S37", "S38-S41", "S52-S54", "S55-S56"])
      expect(r.stdout).toContain(`  ${s}`);
    expect(r.stdout).toMatch(/XID\s+[0-9a-f]{40}/);
  });

  test("an issuer decline is a purchase that ran: exit 0, declined", async () => {
    const r = await lab.purchaseCli([
      "--initiation",
      await order(),
      "--card",
      "visa-nsf",
      "--pin",
      PIN,
      "--json",
    ]);
    expect(r.code).toBe(0);
    expect(json(r)).toMatchObject({ outcome: "declined", completionCode: "orderRejected" });
  });

  test("wrong PINs count down to a blocked card (63Cx, then 6983); exit 2 with one line", async () => {
    const reasons: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await lab.purchaseCli([
        "--initiation",
        await order(),
        "--card",
        "visa-call",
        "--pin",
        "0000",
        "--json",
      ]);
      expect(r.code).toBe(2);
      expect(json(r).outcome).toBe("refused");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      reasons.push(String(json(r).reason));
      if (/PIN is blocked/.test(String(json(r).reason))) break;
    }
    const tries = reasons
      .map((r) => /(\d+) tr(?:y|ies) left/.exec(r)?.[1])
      .filter(Boolean)
      .map(Number);
    expect(tries.length).toBeGreaterThan(0);
    expect(tries).toEqual([...tries].sort((a, b) => b - a));
    expect(reasons[reasons.length - 1]).toMatch(/PIN is (?:now )?blocked/);
    // Blocked: even the right PIN is refused now.
    const r = await lab.purchaseCli(["--initiation", await order(), "--card", "visa-call", "--pin", PIN]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^set-mediator: refused: the card's PIN is blocked\n$/);
  });

  test("an unknown card, an unreachable phone: exit 2 with a clear line", async () => {
    const unknown = await lab.purchaseCli([
      "--initiation",
      await order(),
      "--card",
      "visa-nobody",
      "--pin",
      PIN,
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('set-mediator: refused: no card "visa-nobody" on the phone\n');
    const closed = await run(scripts.mediator, [
      "purchase",
      "--initiation",
      await order(),
      "--phone",
      "127.0.0.1:1",
      "--pairing-code",
      LINK_CODE,
      "--card",
      "visa-approve",
      "--pin",
      PIN,
    ]);
    expect(closed.code).toBe(2);
    expect(closed.stderr).toMatch(/^set-mediator: failed: cannot reach the phone at 127\.0\.0\.1:1/);
  });

  test("the shop's rules: a brand it does not take, an unsigned PReq it does not allow", async () => {
    const mcOnly = await lab.purchaseCli([
      "--initiation",
      await order("MasterCard"),
      "--card",
      "visa-approve",
      "--pin",
      PIN,
    ]);
    expect(mcOnly.code).toBe(2);
    expect(mcOnly.stderr).toMatch(/the shop does not accept Visa \(it accepts MasterCard\)/);
    const visaOrder = await order("Visa");
    const initiation = await loadInitiation(visaOrder);
    expect(initiation.unsignedAllowed).not.toContain("Visa");
    {
      const unsigned = await lab.purchaseCli([
        "--initiation",
        visaOrder,
        "--card",
        "visa-approve",
        "--pin",
        PIN,
        "--unsigned",
      ]);
      expect(unsigned.code).toBe(2);
      expect(unsigned.stderr).toMatch(/the shop does not take unsigned purchases for Visa/);
    }
  });

  test("a merchant's SET Error is reported, not relayed: an initiation naming no order", async () => {
    const dir = lab.emptyDir("initiation");
    try {
      const initiation = await loadInitiation(await order("MasterCard"));
      const file = path.join(dir, "initiation.json");
      fs.writeFileSync(file, JSON.stringify({ ...initiation, lidM: "order-none" }));
      const r = await lab.purchaseCli(["--initiation", file, "--card", "mc-nsf", "--pin", PIN, "--json"]);
      expect(r.code).toBe(2);
      expect(json(r)).toMatchObject({
        outcome: "refused",
        reason: "the merchant refused the PInitReq: unknownLID",
      });
      const steps = json(r).steps as Step[];
      expect(steps.map((s) => s.message)).toEqual([
        "PAIR",
        "SELECT",
        "VERIFY_PIN",
        "PInitReq",
        "PInitReq",
        "Error",
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a merchant that cannot be reached: failed, with a timeout on every wait", async () => {
    const initiation = await loadInitiation(await order("MasterCard"));
    const outcome = await runPurchase({
      initiation: { ...initiation, setUrl: "http://127.0.0.1:1/set" },
      card: {
        host: "127.0.0.1",
        port: Number(new URL(lab.phone.url).port),
        cardId: "mc-stolen",
        pin: PIN,
        pairingCode: LINK_CODE,
      },
    });
    expect(outcome.outcome).toBe("failed");
    expect(outcome.reason).toMatch(/^sending the PInitReq: cannot reach http:\/\/127\.0\.0\.1:1\/set/);
  });

  test("as a library: the PIN buffer is overwritten, the steps arrive in order", async () => {
    const pin = new Uint8Array(Buffer.from(PIN, "latin1"));
    const seen: Step[] = [];
    const initiation = await loadInitiation(await order("MasterCard", 1500));
    const outcome = await runPurchase({
      initiation,
      card: {
        host: "127.0.0.1",
        port: Number(new URL(lab.phone.url).port),
        cardId: "mc-approve",
        pin,
        pairingCode: LINK_CODE,
      },
      onStep: (s) => seen.push(s),
      runId: "mediator-e2e",
    });
    expect(outcome.outcome).toBe("approved");
    expect(pin).toEqual(new Uint8Array(PIN.length));
    expect(seen).toEqual(outcome.steps);
    expect(seen.map((s) => `${s.step} ${s.from}>${s.to} ${s.message}`)).toEqual([
      "pair mediator>card PAIR",
      "select mediator>card SELECT",
      "pin mediator>card VERIFY_PIN",
      "S32 card>mediator PInitReq",
      "S32 mediator>merchant PInitReq",
      "S33 merchant>mediator PInitRes",
      "S34-S35 mediator>card PInitRes",
      "S36-S37 card>mediator PReq",
      "S38-S41 mediator>merchant PReq",
      "S52-S54 merchant>mediator PRes",
      "S55-S56 mediator>card PRes",
    ]);
    for (const s of seen.filter((x) => !["PAIR", "SELECT", "VERIFY_PIN"].includes(x.message)))
      expect(s.bytes).toBeGreaterThan(0);
  });

  test("with a bond cache: the first purchase pairs and bonds, the next resumes with no code", async () => {
    const bonds = new BondCache();
    const port = Number(new URL(lab.phone.url).port);
    let asked = 0;
    const card = {
      host: "127.0.0.1",
      port,
      cardId: "mc-approve",
      bonds,
      pairingCode: async () => {
        asked++;
        return LINK_CODE;
      },
    };
    const first = await runPurchase({
      initiation: await loadInitiation(await order("MasterCard")),
      card: { ...card, pin: PIN },
    });
    const second = await runPurchase({
      initiation: await loadInitiation(await order("MasterCard")),
      card: { ...card, pin: PIN },
    });
    expect([first.outcome, second.outcome]).toEqual(["approved", "approved"]);
    expect(first.steps[0]).toMatchObject({ step: "pair", message: "PAIR" });
    expect(second.steps[0]).toMatchObject({ step: "resume", message: "RESUME" });
    expect(asked).toBe(1);
    expect(bonds.size).toBe(1);
  });

  test("without a PIN the card refuses the purchase (6982), and a refused PIN is wiped too", async () => {
    const port = Number(new URL(lab.phone.url).port);
    const initiation = await loadInitiation(await order());
    const noPin = await runPurchase({
      initiation,
      card: { host: "127.0.0.1", port, cardId: "visa-expired", pairingCode: LINK_CODE },
    });
    expect(noPin.outcome).toBe("refused");
    expect(noPin.reason).toBe("the card refused PINIT_REQUEST: the PIN was not verified (give the PIN)");
    const badFormat = new Uint8Array(Buffer.from("12ab"));
    const refused = await runPurchase({
      initiation,
      card: { host: "127.0.0.1", port, cardId: "visa-expired", pin: badFormat, pairingCode: LINK_CODE },
    });
    expect(refused).toMatchObject({ outcome: "refused", reason: "the PIN must be 4 to 12 digits" });
    expect(badFormat).toEqual(new Uint8Array(4));
  });

  test("pairing: the code from SETLAB_PAIRING_CODE or typed on stdin works; a wrong code is a refusal, exit 2", async () => {
    const viaEnv = await lab.purchaseCli(
      ["--initiation", await order(), "--card", "visa-approve", "--pin", PIN, "--json"],
      {
        code: null,
        env: { ...process.env, SETLAB_PAIRING_CODE: LINK_CODE },
      },
    );
    expect(viaEnv.code).toBe(0);
    expect(json(viaEnv).outcome).toBe("approved");
    const typed = await lab.purchaseCli(
      ["--initiation", await order(), "--card", "visa-approve", "--pin", PIN, "--json"],
      {
        code: null,
        env: { ...process.env, SETLAB_PAIRING_CODE: "" },
        input: `${LINK_CODE}\n`,
      },
    );
    expect(typed.stderr).toContain("pairing code shown on the phone: ");
    expect(typed.code).toBe(0);
    const wrong = await lab.purchaseCli(
      ["--initiation", await order(), "--card", "visa-approve", "--pin", PIN],
      {
        code: "602215",
      },
    );
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^set-mediator: refused: pairing with the phone failed: .*wrong code/);
    expect(wrong.stderr.trim().split("\n")).toHaveLength(1);
    const badFlag = await lab.purchaseCli(["--initiation", await order(), "--card", "visa-approve"], {
      code: "12345",
    });
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/--pairing-code must be 6 digits/);
    const nobody = await lab.purchaseCli(
      ["--initiation", await order(), "--card", "visa-approve", "--pin", PIN],
      {
        code: null,
        env: { ...process.env, SETLAB_PAIRING_CODE: "" },
        input: "",
      },
    );
    expect(nobody.code).toBe(2);
    expect(nobody.stderr).toMatch(/no pairing code given/);
    // a good pairing last, so the phone's failed-pairing count is back at zero
    const again = await lab.purchaseCli([
      "--initiation",
      await order(),
      "--card",
      "visa-approve",
      "--pin",
      PIN,
    ]);
    expect(again.code).toBe(0);
  });

  test("--keyring: the first run pairs and keeps the bond in the Linux keyring; the next runs resume with no code", async () => {
    const keeper = new KeyringBondKeeper();
    const phoneDir = path.join(lab.work, "phone");
    const buy = async (options: Parameters<typeof lab.purchaseCli>[1], flags: string[] = []) =>
      lab.purchaseCli(
        ["--initiation", await order(), "--card", "visa-approve", "--pin", PIN, "--json", ...flags],
        options,
      );
    // no code to give, and nobody on stdin to type one
    const noCode = {
      code: null,
      env: { ...process.env, SETLAB_PAIRING_CODE: "", SETLAB_BOND_KEYRING: "1" },
      input: "",
    };
    await keeper.remove(lab.phoneAddress);
    try {
      const without = await buy({});
      expect((json(without).steps as Step[])[0].message).toBe("PAIR");
      expect(await keeper.load(lab.phoneAddress)).toBeUndefined();

      const first = await buy({}, ["--keyring"]);
      expect(first.code).toBe(0);
      expect((json(first).steps as Step[])[0].message).toBe("PAIR");
      const kept = await keeper.load(lab.phoneAddress);
      expect(kept?.linkKey).toHaveLength(32);
      const listed = (await run(scripts.phone, ["bonds", "--data", phoneDir])).stdout;
      expect(listed).toContain(Buffer.from(kept!.bondId).toString("hex"));

      for (let i = 0; i < 2; i++) {
        const next = await buy(noCode);
        expect(next.code).toBe(0);
        expect(json(next).outcome).toBe("approved");
        expect((json(next).steps as Step[])[0]).toMatchObject({ step: "resume", message: "RESUME" });
        expect(next.stderr).not.toContain("pairing code shown on the phone");
      }

      // the phone revokes every bond: without a code the run is refused, with one it pairs again
      expect((await run(scripts.phone, ["unbond", "--data", phoneDir, "--all"])).code).toBe(0);
      const revoked = await buy(noCode);
      expect(revoked.code).toBe(2);
      expect(revoked.stderr).toMatch(/no pairing code given/);
      expect(await keeper.load(lab.phoneAddress)).toBeUndefined();
      const again = await buy({ env: { ...process.env, SETLAB_BOND_KEYRING: "1" } });
      expect(again.code).toBe(0);
      expect((json(again).steps as Step[])[0].message).toBe("PAIR");
      const renewed = await keeper.load(lab.phoneAddress);
      expect(renewed?.bondId).not.toEqual(kept!.bondId);
      expect((json(await buy(noCode)).steps as Step[])[0].message).toBe("RESUME");
    } finally {
      await keeper.remove(lab.phoneAddress);
    }
  });
});
