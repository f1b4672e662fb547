/**
 * The patent's first embodiment end to end, each party its own process (as purchase.e2e.test.ts):
 * an order with profile `embodiment-1`, the mediator CLI relaying E1InfoInit, E1InfoReq, E1InfoRes
 * and E1Result between the real merchant and the real phone, and the merchant asking the real
 * gateway over E1AuthReq. An approved card, a declined one, what the parties keep (no PAN in the
 * merchant's stored messages), and the PC left with nothing on disk.
 *
 * Needs the packages built (`npx tsc -b`). Without a dist the suite fails with what is missing.
 */
import * as fs from "node:fs";
import { contents, json, PIN, usePurchaseLab } from "./testing/purchaseLab.test-helper";

const lab = usePurchaseLab("setlab-e1-");

/** A new order in the shop's back office with profile embodiment-1; its id and initiation URL. */
const order = () => lab.order({ profile: "embodiment-1" });

describe("embodiment 1 through set-mediator purchase", () => {
  test("an approved card: the shop checks the card, the gateway authorizes, the card reads the result; nothing on the PC's disk", async () => {
    const cwd = lab.emptyDir("cwd");
    const home = lab.emptyDir("home");
    const tmp = lab.emptyDir("tmp");
    try {
      const { id, initiation } = await order();
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: home,
        TMPDIR: tmp,
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
      expect(json(r)).toMatchObject({ outcome: "approved", completionCode: "authorizationPerformed" });
      expect(json(r).xid).toMatch(/^[0-9a-f]{40}$/);
      // The embodiment's own hops ran, and no SET message did.
      expect(r.stderr).toContain('"message":"E1InfoRes"');
      expect(r.stderr).not.toContain('"message":"PInitReq"');

      expect(contents(cwd)).toEqual([]);
      expect(contents(home)).toEqual([]);
      expect(contents(tmp)).toEqual([]);
      const printed = r.stdout + r.stderr;
      for (const card of Object.values(lab.pki.cards())) {
        expect(printed).not.toContain(card.pan);
        expect(printed).not.toContain(card.panSecret);
      }
      expect(printed).not.toContain(PIN);

      const view = (await lab.admin(lab.merchant.adminUrl ?? "", `/orders/${id}`)) as {
        state: string;
        xid: string;
        authorization: { authCode: string; completionCode: string };
      };
      expect(view.state).toBe("authorized");
      expect(view.xid).toBe(json(r).xid);
      expect(view.authorization).toMatchObject({
        authCode: "approved",
        completionCode: "authorizationPerformed",
      });
      // The merchant keeps its own messages; the card's (with the PAN in the clear) is not among them.
      const messages = (await lab.admin(lab.merchant.adminUrl ?? "", `/orders/${id}/messages`)) as {
        type: string;
        der: string;
      }[];
      expect(messages.map((m) => m.type)).toEqual([
        "e1InfoInit",
        "e1InfoReq",
        "e1AuthReq",
        "e1AuthRes",
        "e1Result",
      ]);
      const pan = lab.pki.cards()["visa-approve"].pan;
      for (const m of messages) expect(Buffer.from(m.der, "base64").toString("latin1")).not.toContain(pan);
      const auths = (await lab.admin(
        lab.gateway.adminUrl ?? "",
        `/admin/authorizations?xid=${view.xid}`,
      )) as {
        authCode: string;
      }[];
      expect(auths.map((a) => a.authCode)).toEqual(["approved"]);
    } finally {
      for (const d of [cwd, home, tmp]) fs.rmSync(d, { recursive: true, force: true });
    }
  });

  test("a declined card: the order is declined and the card hears orderRejected", async () => {
    const { id, initiation } = await order();
    const r = await lab.purchaseCli([
      "--initiation",
      initiation,
      "--card",
      "visa-nsf",
      "--pin",
      PIN,
      "--json",
    ]);
    expect(r.code).toBe(0);
    expect(json(r)).toMatchObject({ outcome: "declined", completionCode: "orderRejected" });
    const view = (await lab.admin(lab.merchant.adminUrl ?? "", `/orders/${id}`)) as { state: string };
    expect(view.state).toBe("declined");
  });

  test("an embodiment 1 order is not paid twice", async () => {
    const { initiation } = await order();
    const first = await lab.purchaseCli([
      "--initiation",
      initiation,
      "--card",
      "visa-approve",
      "--pin",
      PIN,
      "--json",
    ]);
    expect(json(first).outcome).toBe("approved");
    const again = await lab.purchaseCli([
      "--initiation",
      initiation,
      "--card",
      "visa-approve",
      "--pin",
      PIN,
      "--json",
    ]);
    expect(again.code).toBe(2);
    expect(json(again)).toMatchObject({ outcome: "refused" });
    expect(String(json(again).reason)).toMatch(/refused the E1InfoInit: unspecifiedFailure/);
  });
});
