/**
 * The second embodiment's card-company option (claims 7-8) end to end, each party its own process:
 * the merchant runs with `--e2-card-info card-company`, so its E2SessionKey names the gateway's
 * key-exchange certificate; the phone's card checks it and seals its card information to it; the
 * merchant forwards that envelope unopened in E1AuthReq and the gateway opens it. The order is
 * authorized; the merchant's history says it never opened the card information.
 *
 * Needs the packages built (`npx tsc -b`). Without a dist the suite fails with what is missing.
 */
import { schema } from "@setlab/protocol";
import { e2PurchaseArgs, json, run, scripts, usePurchaseLab } from "./testing/purchaseLab.test-helper";

const lab = usePurchaseLab("setlab-e2cc-", { merchantArgs: ["--e2-card-info", "card-company"] });

const admin = (route: string) => lab.admin(lab.merchant.adminUrl ?? "", route);

test("the card information goes sealed to the card company, the merchant forwards it unopened; approved", async () => {
  const { id, initiation } = await lab.order({
    description: "1 x SET Lab mug",
    amount: 900,
    profile: "embodiment-2",
  });
  const r = await lab.purchaseCli(e2PurchaseArgs(initiation, "yes"));
  expect(r.code).toBe(0);
  expect(json(r)).toMatchObject({ outcome: "approved", completionCode: "authorizationPerformed" });
  const view = (await admin(`/orders/${id}`)) as { state: string; history: { detail?: string }[] };
  expect(view.state).toBe("authorized");
  expect(view.history.map((h) => h.detail ?? "").join("\n")).toContain(
    "E2CardInfo sealed to the card company, forwarded unopened",
  );
  // The session key the merchant sent named the gateway's key-exchange certificate.
  const messages = (await admin(`/orders/${id}/messages`)) as { type: string; der: string }[];
  const sessionKey = messages.find((m) => m.type === "e2SessionKey");
  expect(sessionKey).toBeDefined();
  const der = Buffer.from(sessionKey?.der ?? "", "base64");
  expect(schema.decodeEmbodimentMessage(der).message.type).toBe("e2SessionKey");
  expect(der.includes(Buffer.from(lab.pki.certificate("visa/gateway/key-exchange")))).toBe(true);
}, 120_000);

test("the merchant refuses an option it does not know", async () => {
  const r = await run(scripts.merchant, [
    "serve",
    "--pki",
    "x",
    "--db",
    "y",
    "--gateway",
    "Visa=http://127.0.0.1:9",
    "--e2-card-info",
    "gateway",
  ]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain("--e2-card-info takes session-key or card-company");
});
