/**
 * The third embodiment across real processes: gateway, merchant and phone started by `up`, and
 * every purchase made by the mediator as a child process. For each test card the outcome the buyer
 * sees, the merchant's stored order and the gateway's stored authorization must agree with the
 * issuer simulator's documented table.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { adminFetch, KeyringBondKeeper, postSet, SET_PAYMENT } from "@setlab/runtime";
import { seedLabPki } from "@setlab/runtime/testing";
import { fetchMessages } from "./capture";
import { down } from "./commands/down";
import { type PurchaseResult, purchase } from "./commands/purchase";
import { up } from "./commands/up";
import { purchAmtOf } from "./currency";
import { adminOf, isAlive, type LabState } from "./labState";
import { stopProcess } from "./processes";

let home: string;
let state: LabState;
let pans: string[];

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-e2e-"));
  seedLabPki(path.join(home, "pki"));
  state = await up({ home });
  pans = Object.values(JSON.parse(fs.readFileSync(path.join(state.pki, "cards.json"), "utf8"))).map(
    (c) => (c as { pan: string }).pan,
  );
}, 120_000);

afterAll(async () => {
  if (state) await down(home).catch(() => {});
  fs.rmSync(home, { recursive: true, force: true });
});

const jpy = (amount: string) => purchAmtOf(amount, "JPY");

function expectNoPan(r: PurchaseResult) {
  const text = JSON.stringify(r) + r.mediatorStderr;
  for (const pan of pans) expect(text).not.toContain(pan);
}

/** Card id -> what the buyer, the merchant and the gateway must record (acquirer-server README table). */
const table: [string, string, string, string][] = [
  ["visa-approve", "approved", "approved", "authorized"],
  ["visa-nsf", "declined", "declined", "declined"],
  ["visa-expired", "declined", "expiredCard", "declined"],
  ["visa-stolen", "declined", "declined", "declined"],
  ["visa-call", "declined", "callIssuer", "declined"],
  ["visa-unavailable", "declined", "noReply", "declined"],
  ["mc-approve", "approved", "approved", "authorized"],
  ["mc-nsf", "declined", "declined", "declined"],
  ["mc-stolen", "declined", "declined", "declined"],
  ["mc-unavailable", "declined", "noReply", "declined"],
];

describe("a purchase per test card, dual-signed (profile set)", () => {
  it.each(table)(
    "%s: buyer sees %s, gateway records %s, merchant %s",
    async (card, buyer, authCode, orderState) => {
      const r = await purchase({ home, card, purchAmt: jpy("1500") });
      expect(r.mediator.outcome).toBe(buyer);
      expect(r.mediatorExit).toBe(0);
      expect(r.order.state).toBe(orderState);
      expect(r.order.xid).toBe(r.mediator.xid);
      expect(r.order.history?.map((h) => h.state)).toEqual([
        "created",
        "initiated",
        "purchaseRequested",
        "authorizing",
        orderState,
      ]);
      expect(r.authorizations).toHaveLength(1);
      expect(r.authorizations[0]).toMatchObject({
        xid: r.mediator.xid,
        authCode,
        amount: buyer === "approved" ? 1500 : 1500,
      });
      expect(r.authorizations[0].held).toBe(buyer === "approved" ? 1500 : 0);
      expectNoPan(r);
    },
  );
});

describe("other forms and profiles", () => {
  it("an unsigned PReq where the brand allows it (MasterCard)", async () => {
    const r = await purchase({ home, card: "mc-approve", purchAmt: jpy("700"), unsigned: true });
    expect(r.mediator.outcome).toBe("approved");
    expect(r.order.state).toBe("authorized");
    expect(r.authorizations).toMatchObject([{ authCode: "approved", held: 700 }]);
    const steps = (r.mediator.steps ?? []).map((s) => s.detail ?? "").join(" ");
    expect(steps).toContain("unsigned");
  });

  it("the unsigned form is refused for a brand that requires cardholder certificates (Visa)", async () => {
    const r = await purchase({ home, card: "visa-approve", purchAmt: jpy("700"), unsigned: true });
    expect(r.mediator.outcome).toBe("refused");
    expect(r.mediatorExit).toBe(2);
    expect(r.authorizations).toHaveLength(0);
    expect(r.order.state).not.toBe("authorized");
  });

  it("set-mediator as its own program, the PIN in its environment, not on its command line", async () => {
    const r = await purchase({ home, card: "visa-approve", purchAmt: jpy("800"), separateMediator: true });
    expect(r.mediator.outcome).toBe("approved");
    expect(r.mediatorExit).toBe(0);
    expect(r.authorizations).toMatchObject([{ authCode: "approved", held: 800 }]);
    expectNoPan(r);
  });

  it("the hardened profile binds gateway and merchant thumbprints and is approved", async () => {
    const r = await purchase({ home, card: "visa-approve", purchAmt: jpy("900"), profile: "hardened" });
    expect(r.mediator.outcome).toBe("approved");
    expect(r.authorizations).toMatchObject([{ authCode: "approved" }]);
  });

  it("an amount over the account's credit limit is declined with amountError and holds nothing", async () => {
    const r = await purchase({ home, card: "visa-approve", purchAmt: jpy("5000000") });
    expect(r.mediator.outcome).toBe("declined");
    expect(r.authorizations).toMatchObject([{ authCode: "amountError", held: 0 }]);
  });
});

describe("partial approval (issuer simulator, debit-style account)", () => {
  it("the account approves what it has: in full within it, then partiallyApproved with the amount (the order partiallyAuthorized), then declined", async () => {
    // The account's limit is 1 000 000 yen and nothing else holds on it in this lab.
    const whole = await purchase({ home, card: "visa-debit", purchAmt: jpy("1000") });
    expect(whole.mediator.outcome).toBe("approved");
    expect(whole.order.state).toBe("authorized");
    const r = await purchase({ home, card: "visa-debit", purchAmt: jpy("1200000") });
    expect(r.mediator.outcome).toBe("partiallyApproved");
    expect(r.mediator.completionCode).toBe("authorizationPerformed");
    expect(r.mediator.amount).toMatchObject({ currency: 392, amount: 999_000, amtExp10: 0 });
    expect(r.order.state).toBe("partiallyAuthorized");
    expect(r.order.authorization).toMatchObject({ authAmt: { amount: 999_000 } });
    expect(r.authorizations).toMatchObject([{ authCode: "approved", amount: 1_200_000, held: 999_000 }]);
    expect(r.authorizations[0].holdUntil).toEqual(expect.any(String));
    expectNoPan(r);
    // The partial hold took everything the account had left.
    const next = await purchase({ home, card: "visa-debit", purchAmt: jpy("100") });
    expect(next.mediator.outcome).toBe("declined");
    expect(next.order.state).toBe("declined");
    expect(next.authorizations).toMatchObject([{ authCode: "declined", held: 0 }]);
  });
});

describe("the same message delivered twice, over real HTTP", () => {
  it("a PReq sent again gets the same PRes and the gateway still holds one authorization", async () => {
    const r = await purchase({ home, card: "visa-approve", purchAmt: jpy("300") });
    const messages = await fetchMessages(adminOf(state, "merchant"), r.orderId);
    const pReq = messages.find((m) => m.type === "PReq");
    const pRes = messages.find((m) => m.type === "PRes");
    if (!pReq || !pRes) throw new Error("PReq or PRes not captured");
    const again = await postSet(`${state.parties.merchant.url}/set`, pReq.der);
    expect(Buffer.from(again).equals(Buffer.from(pRes.der))).toBe(true);
    const auths = await (
      await adminFetch(adminOf(state, "gateway"), `/admin/authorizations?xid=${r.mediator.xid}`)
    ).json();
    expect(auths).toHaveLength(1);
  });

  it("an AuthReq sent again gets the same AuthRes and no second hold", async () => {
    const r = await purchase({ home, card: "mc-approve", purchAmt: jpy("200") });
    const messages = await fetchMessages(adminOf(state, "merchant"), r.orderId);
    const authReq = messages.find((m) => m.type === "AuthReq");
    const authRes = messages.find((m) => m.type === "AuthRes");
    if (!authReq || !authRes) throw new Error("AuthReq or AuthRes not captured");
    const before = await (await adminFetch(adminOf(state, "gateway"), "/admin/accounts/mc-approve")).json();
    const again = await postSet(`${state.parties.gateway.url}/set`, authReq.der);
    expect(Buffer.from(again).equals(Buffer.from(authRes.der))).toBe(true);
    const after = await (await adminFetch(adminOf(state, "gateway"), "/admin/accounts/mc-approve")).json();
    expect(after).toEqual(before);
    const auths = await (
      await adminFetch(adminOf(state, "gateway"), `/admin/authorizations?xid=${r.mediator.xid}`)
    ).json();
    expect(auths).toHaveLength(1);
  });

  it("the merchant answers 415 to another content type and 413 to an oversized body", async () => {
    const url = `${state.parties.merchant.url}/set`;
    expect(
      (await fetch(url, { method: "POST", headers: { "content-type": "text/plain" }, body: "x" })).status,
    ).toBe(415);
    const big = await fetch(url, {
      method: "POST",
      headers: { "content-type": SET_PAYMENT },
      body: new Uint8Array(300 * 1024),
    });
    expect(big.status).toBe(413);
  });
});

describe("logs", () => {
  it("merchant and gateway log JSON lines with the purchase's XID and run id; no log holds a PAN", async () => {
    const runId = "run-e2e-logcheck";
    const r = await purchase({ home, card: "visa-approve", purchAmt: jpy("100"), runId });
    const xid = r.mediator.xid as string;
    for (const party of ["merchant", "gateway"]) {
      const lines = fs
        .readFileSync(path.join(home, "logs", `${party}.log`), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const mine = lines.filter((l) => JSON.stringify(l).includes(runId));
      if (mine.length === 0)
        throw new Error(`${party} log lacks ${runId}:\n${lines.map((l) => JSON.stringify(l)).join("\n")}`);
      expect(mine.some((l) => JSON.stringify(l).includes(xid))).toBe(true);
    }
    for (const file of fs.readdirSync(path.join(home, "logs"))) {
      const text = fs.readFileSync(path.join(home, "logs", file), "utf8");
      for (const pan of pans) expect(text).not.toContain(pan);
    }
  });
});

describe("the card-link bond kept in the kernel keyring (keyctl is installed: npm run setup)", () => {
  /** How the phone's link was made for a run: "card link paired" or "card link resumed". */
  const linkOf = (runId: string) => {
    const lines = fs
      .readFileSync(path.join(home, "logs", "phone.log"), "utf8")
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const session = lines.find((l) => l.msg === "card session" && l.runId === runId)?.session;
    expect(session).toBeDefined();
    return lines.find(
      (l) => l.session === session && (l.msg === "card link paired" || l.msg === "card link resumed"),
    )?.msg;
  };

  it("set-lab purchase resumes the kept bond with no code; --no-keyring pairs", async () => {
    const phone = new URL(state.parties.phone.url);
    const address = `${phone.hostname}:${phone.port}`;
    for (const runId of ["run-bond-1", "run-bond-2"])
      expect(
        (await purchase({ home, card: "mc-approve", purchAmt: jpy("100"), runId })).mediator.outcome,
      ).toBe("approved");
    expect(linkOf("run-bond-2")).toBe("card link resumed");
    expect((await new KeyringBondKeeper().load(address))?.linkKey).toHaveLength(32);
    const paired = await purchase({
      home,
      card: "mc-approve",
      purchAmt: jpy("100"),
      runId: "run-bond-3",
      keyring: false,
    });
    expect(paired.mediator.outcome).toBe("approved");
    expect(linkOf("run-bond-3")).toBe("card link paired");
  });
});

describe("a gateway that is down", () => {
  it("gives the buyer a clear 'order received' and the merchant an authorizationFailed order, without a hang", async () => {
    await stopProcess(state.parties.gateway.pid);
    expect(isAlive(state.parties.gateway.pid)).toBe(false);
    const r = await purchase({ home, card: "visa-approve", purchAmt: jpy("100") });
    expect(r.mediator.outcome).toBe("orderReceived");
    expect(r.mediatorExit).toBe(0);
    expect(r.order.state).toBe("authorizationFailed");
    expect(r.gatewayAnswered).toBe(false);
    expectNoPan(r);
  }, 90_000);
});
