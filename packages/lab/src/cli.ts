#!/usr/bin/env node
/**
 * `set-lab <command>` (from the repo root: `pnpm lab ...`): run the SET ecosystem on loopback.
 *   up        seed a PKI (set-ca init) and start gateway, merchant and phone
 *   purchase  one purchase through the mediator
 *   status    what runs
 *   down      stop it all
 *   demo      all of it, with a trace and a sequence diagram
 *   fault     set, show or clear a party's fault plan (docs/faults.md)
 *   shop      the reference web shop against the running lab
 *   browser-setup  the SET extension and native-messaging host in a Chromium profile
 *   soak      purchases at a steady rate under rotating faults, with a loss and memory report
 *   capture   the merchant captures an order's authorization (CapReq/CapRes)
 *   inquire   the buyer's card asks the shop how a purchase ended (InqReq/InqRes)
 *   settle    the merchant closes its batch (BatchAdminReq); the gateway's settlement report
 *   reverse   the merchant cancels or reduces an order's uncaptured authorization (AuthRevReq/AuthRevRes)
 *   authorize the merchant authorizes more of an order's purchase with the AuthToken
 *   refund, reverse-capture, reverse-refund   after the capture (CredReq, CapRevReq, CredRevReq)
 */
import { parseArgs } from "node:util";
import { type InitiationProfile, initiationProfiles } from "@setlab/protocol/relay";
import { type CliProgram, LabPkiError, runCli, runMain, UsageError } from "@setlab/runtime/client";
import type { AuthorizationView, OrderWithAuthorizations } from "./commands/orderAdminRoute";
import type { ClosedBatch } from "./commands/settle";
import { formatAmount, purchAmtOf } from "./currency";
import { adminOf, LabFailure, readState } from "./labState";

// Each command loads its own modules when it runs: `set-lab purchase` is a command people time, and
// the demo, soak and capture modules pull in the whole protocol library, which a purchase from
// does not need before the mediator's own modules are loaded.

const usage = `usage: set-lab <command> [--home DIR]
  up        [--pki DIR] [--pin PIN]        seed a lab PKI if needed, start gateway, merchant, phone
            [--capture-now]                the merchant sells: each approval captured with it
            [--gateway-timeout MS]         the merchant's attempt to reach the gateway (default 5000)
  purchase  --card PAN|ID [--amount 12800] [--currency JPY] [--profile set|hardened|embodiment-1|embodiment-2] [--confirm yes|no] [--unsigned]
            [--description TEXT] [--json] [--capture DIR]
            [--first-shipment AMOUNT]      a split shipment: authorize only AMOUNT now (an AuthToken for the rest)
            [--installments N | --recurring DAYS:YYYY-MM-DD]  the order's and the card's payment terms
            [--separate-mediator]          start set-mediator as its own program (default: in this one)
            [--no-keyring]                 pair with the code every time instead of resuming the bond
                                           the Linux keyring keeps (default: kept where keyctl is installed)
  status    [--json]
  down
  demo      [--browser]                     the full purchase across all parties, with trace and sequence
                                           diagram; --browser: then one in Chromium (web shop, extension)
  fault     gateway [--delay MS] [--stage received|committed] [--delay-rate R] [--drop R] [--5xx R]
                    [--malformed R] [--bad-signature R] [--clock-skew S]
            merchant [--pause-before-send MS] [--pause-after-authres MS]
            gateway|merchant --clear         (no switch: show the plan in force)
  shop      [--port 8080] [--profiles set,hardened,embodiment-1,embodiment-2]
                                          the reference web shop against the running lab
  browser-setup --profile DIR --trust-origin URL [--trust-origin URL ...]
                                           the SET extension and the mediator's native-messaging host
                                           in a Chromium profile directory (docs/purchase-flow.md)
  capture   ORDER [AMOUNT] [--json]         capture the order's authorization: all of it, or AMOUNT
            [--authorization N]            (a decimal in the order's currency); --authorization N: the
                                           purchase's Nth (a split shipment's part); exit 2 when not captured
  inquire   ORDER --card ID [--json]        the card that paid asks the shop for the order's status
                                           (InqReq/InqRes through the mediator); exit 2 when refused
  settle    [--json]                        close the merchant's open batch and print the gateway's
                                           settlement report; exit 2 when no batch was open
  reverse   ORDER [AMOUNT] [--json]         reverse the order's uncaptured authorization: cancel it, or
            [--authorization N]            reduce it to AMOUNT (--authorization N: the purchase's Nth);
                                           exit 2 when the gateway did not approve
  authorize ORDER AMOUNT [--advance 31d] [--json]
                                           authorize AMOUNT more of the order's purchase with its AuthToken
                                           (a split shipment's next part, the next installment or recurring
                                           payment); --advance: as if that much time had passed (the lab
                                           gateway's schedule clock only); exit 2 when not approved
  refund    ORDER [AMOUNT] [--json]         credit the order's capture: all that is left, or AMOUNT
  reverse-capture ORDER [--json]            reverse the order's whole capture (no credit standing)
  reverse-refund  ORDER [CREDIT-ID] [AMOUNT] [--json]
                                           take back a credit (default the last), all of it or AMOUNT;
                                           these three take --authorization N (the capture of the
                                           purchase's Nth authorization) and --batch N (book it into
                                           the merchant's batch N, not the open one) and exit 2 when
                                           not done
  soak      [--seconds 60] [--rate 2] [--faults none|light|heavy] [--concurrency 8] [--seed N]
            [--settle-seconds 60] [--json]    exit 1 when a purchase is lost
--home defaults to .setlab (demo: .setlab/demo, soak: .setlab/soak)`;

const out = (s: string) => process.stdout.write(`${s}\n`);

/** A refusal the user can act on (no lab running, a bad amount, an unreadable PKI) exits 2. */
const program: CliProgram = {
  name: "set-lab",
  usage,
  exitCodeOf: (e) => (e instanceof LabFailure || e instanceof LabPkiError ? 2 : undefined),
};

function main(argv: string[]): Promise<number> {
  return runCli(program, () => command(argv));
}

async function command(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "fault") {
    const { home, args } = takeHome(rest, ".setlab");
    const { parseFaultCommand, runFaultCommand } = await import("./commands/fault");
    const plan = await runFaultCommand(home, parseFaultCommand(args));
    out(JSON.stringify(plan));
    return 0;
  }
  if (command === "soak") return soak(rest);
  if (command === "capture") return captureCommand(rest);
  if (command === "inquire") return inquireCommand(rest);
  if (command === "settle") return settleCommand(rest);
  if (command === "reverse") return reverseCommand(rest);
  if (command === "authorize") return authorizeCommand(rest);
  if (command === "refund" || command === "reverse-capture" || command === "reverse-refund") {
    const { capRevOrCredCommand } = await import("./commands/capRevOrCredOrder");
    return capRevOrCredCommand(command, rest, out);
  }
  if (command === "browser-setup") return browserSetupCommand(rest);
  if (command === "shop") return shopCommand(rest);
  const { values } = parseArgs({
    args: rest,
    options: {
      home: { type: "string" },
      pki: { type: "string" },
      pin: { type: "string" },
      card: { type: "string" },
      amount: { type: "string", default: "12800" },
      currency: { type: "string", default: "JPY" },
      profile: { type: "string", default: "set" },
      unsigned: { type: "boolean", default: false },
      confirm: { type: "string", default: "yes" },
      "separate-mediator": { type: "boolean", default: false },
      "no-keyring": { type: "boolean", default: false },
      description: { type: "string" },
      json: { type: "boolean", default: false },
      capture: { type: "string" },
      "first-shipment": { type: "string" },
      installments: { type: "string" },
      recurring: { type: "string" },
      browser: { type: "boolean", default: false },
      "capture-now": { type: "boolean", default: false },
      "gateway-timeout": { type: "string" },
    },
    strict: true,
  });
  const home = values.home ?? (command === "demo" ? ".setlab/demo" : ".setlab");
  switch (command) {
    case "up": {
      const { up } = await import("./commands/up");
      const timeout = values["gateway-timeout"];
      if (timeout !== undefined && !/^[0-9]+$/.test(timeout))
        throw new UsageError(`--gateway-timeout takes milliseconds, not ${timeout}`);
      await up({
        home,
        pki: values.pki,
        pin: values.pin,
        captureNow: values["capture-now"],
        ...(timeout !== undefined ? { gatewayTimeoutMs: Number(timeout) } : {}),
        log: out,
      });
      out(`lab is up; state in ${home}/lab.json`);
      return 0;
    }
    case "down": {
      const { down } = await import("./commands/down");
      await down(home, out);
      return 0;
    }
    case "status": {
      const { status } = await import("./commands/status");
      const s = await status(home);
      if (values.json) out(JSON.stringify(s));
      else
        for (const p of s)
          out(
            `${p.party.padEnd(9)} ${p.url.padEnd(28)} pid ${String(p.pid).padEnd(7)} ${p.healthy ? "up" : p.alive ? "not answering" : "gone"}`,
          );
      return s.every((p) => p.healthy) ? 0 : 1;
    }
    case "purchase": {
      if (!values.card) throw new LabFailure("purchase needs --card PAN or card id");
      if (!["set", "hardened", "embodiment-1", "embodiment-2"].includes(values.profile))
        throw new LabFailure(
          `--profile must be set, hardened, embodiment-1 or embodiment-2, not "${values.profile}"`,
        );
      if (values.confirm !== "yes" && values.confirm !== "no")
        throw new LabFailure(`--confirm takes yes or no, not "${values.confirm}"`);
      const purchAmt = purchAmtOf(values.amount, values.currency);
      const { purchase } = await import("./commands/purchase");
      const r = await purchase({
        home,
        card: values.card,
        purchAmt,
        profile: values.profile as "set" | "hardened" | "embodiment-1" | "embodiment-2",
        unsigned: values.unsigned,
        confirm: values.confirm as "yes" | "no",
        description: values.description,
        separateMediator: values["separate-mediator"],
        ...(values["no-keyring"] ? { keyring: false } : {}),
        ...(values["first-shipment"] !== undefined
          ? { firstShipmentAmount: purchAmtOf(values["first-shipment"], values.currency).amount }
          : {}),
        ...termsOption(values.installments, values.recurring),
      });
      if (values.capture) {
        const { fetchMessages, writeCapture } = await import("./capture");
        const state = readState(home);
        const files = writeCapture(
          values.capture,
          await fetchMessages(adminOf(state, "merchant"), r.orderId),
        );
        if (!values.json) out(`captured ${files.length} messages in ${values.capture}`);
      }
      const auth = r.authorizations[0] as Record<string, unknown> | undefined;
      const summary = {
        outcome: r.mediator.outcome,
        orderId: r.orderId,
        xid: r.mediator.xid ?? r.order.xid,
        // From the gateway's record: the buyer's side never learns the AuthCode (PRes carries none).
        authCode: auth?.authCode,
        approvalCode: auth?.approvalCode,
        completionCode: r.mediator.completionCode,
        purchAmt,
        authAmt: auth?.amount,
        orderState: r.order.state,
        reason: r.mediator.reason,
        runId: r.runId,
      };
      if (values.json) out(JSON.stringify(summary));
      else
        out(
          `${summary.outcome}: ${formatAmount(purchAmt)} with ${r.cardId}; order ${r.orderId} ${summary.orderState}; ` +
            `AuthCode ${summary.authCode ?? "-"}; CompletionCode ${summary.completionCode ?? "-"}${summary.reason ? `; ${summary.reason}` : ""}`,
        );
      return r.mediatorExit === 0 ? 0 : 2;
    }
    case "demo": {
      const started = Date.now();
      const [{ runDemo }, { consoleTrace }] = await Promise.all([
        import("./commands/demo"),
        import("./trace"),
      ]);
      const r = await runDemo({ home, trace: consoleTrace(), browser: values.browser });
      const browser = r.browserPurchases
        ? `; in Chromium: ${r.browserPurchases.map((b) => `${b.profile} ${b.outcome.replace(/\.$/, "")}`).join(", ")}`
        : "";
      out(
        `\nDemo complete in ${Date.now() - started} ms: ${r.purchases.map((p) => `${p.cardId} ${p.mediator.outcome}`).join(", ")}${browser}${settled(r.settlement)}.`,
      );
      const browserOk =
        !values.browser ||
        (r.browserPurchases !== undefined &&
          r.browserPurchases.length > 0 &&
          r.browserPurchases.every((b) => b.orderState === "authorized"));
      return r.purchases[0]?.mediator.outcome === "approved" && browserOk ? 0 : 1;
    }
    default:
      throw new UsageError(command ? `unknown command: ${command}` : "missing command");
  }
}

/** The demo's settlement in its closing line: "; batch 1 settled: Visa sales JPY 12800, credits JPY 2800, net JPY 10000". */
function settled(s: { batch: ClosedBatch } | undefined) {
  if (!s) return "";
  const totals = s.batch.totals.map(
    (t) => `${t.brand} sales ${t.shown.sales}, credits ${t.shown.credits}, net ${t.shown.net}`,
  );
  return `; batch ${s.batch.batchId} settled: ${totals.join("; ")}`;
}

function numberOption(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^-?[0-9]+(\.[0-9]+)?$/.test(text)) throw new LabFailure(`${flag} takes a number, not "${text}"`);
  return Number(text);
}

/** What an order command made of the order: whether it was done, and the line that says so. */
interface OrderOutcome {
  readonly done: boolean;
  /** Made only for a text answer: --json prints whatever the merchant answered, even what no line can show. */
  readonly line: () => string;
}

/**
 * `NAME ORDER [AMOUNT] [--authorization N] [--json]`: the merchant acts on one authorization of the
 * order (the purchase's Nth); exit 2 when it was not done.
 */
async function authorizationCommand<O extends OrderWithAuthorizations>(
  name: string,
  args: string[],
  load: () => Promise<(home: string, orderId: string, amount?: string, part?: number) => Promise<O>>,
  outcome: (order: O, authorization: AuthorizationView | undefined, part: number | undefined) => OrderOutcome,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      home: { type: "string", default: ".setlab" },
      json: { type: "boolean", default: false },
      authorization: { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length < 1 || positionals.length > 2) throw new UsageError(`${name} needs ORDER [AMOUNT]`);
  const act = await load();
  const { authorizationNumber, authorizationOf } = await import("./commands/orderAdminRoute");
  const part = authorizationNumber(values.authorization);
  const order = await act(values.home, positionals[0], positionals[1], part);
  const { done, line } = outcome(order, authorizationOf(order, part), part);
  out(values.json ? JSON.stringify(order) : line());
  return done ? 0 : 2;
}

const captureCommand = (args: string[]) =>
  authorizationCommand(
    "capture",
    args,
    async () => (await import("./commands/captureOrder")).captureOrder,
    (order, authorization) => {
      const capture = authorization?.capture;
      const captured = capture?.capCode === "success";
      return {
        done: captured,
        line: () =>
          captured && capture?.capAmt
            ? `order ${order.id} ${order.state}: ${formatAmount(capture.capAmt)}`
            : `order ${order.id} not captured (${order.state}): ${capture?.capCode ? `CapCode ${capture.capCode}` : (capture?.failure ?? "no answer")}`,
      };
    },
  );

async function inquireCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      home: { type: "string", default: ".setlab" },
      card: { type: "string" },
      json: { type: "boolean", default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError("inquire needs ORDER");
  if (!values.card) throw new UsageError("inquire needs --card ID (the card that paid)");
  const { inquire } = await import("./commands/inquire");
  const r = await inquire(values.home, positionals[0], values.card);
  const m = r.mediator;
  const answered = r.mediatorExit === 0;
  if (values.json) out(JSON.stringify(r));
  else
    out(
      answered
        ? `order ${r.orderId} (XID ${r.xid}): ${m.completionCode ?? m.outcome}`
        : `order ${r.orderId}: inquiry ${m.outcome}: ${m.reason ?? "no reason given"}`,
    );
  return answered ? 0 : 2;
}

async function settleCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { home: { type: "string", default: ".setlab" }, json: { type: "boolean", default: false } },
    strict: true,
  });
  const { settle } = await import("./commands/settle");
  const settled = await settle(values.home);
  if (values.json) out(JSON.stringify(settled.report ?? settled.batch));
  else out(settled.table ?? `no batch settled: the gateway answered ${settled.batch.code}`);
  return settled.table !== undefined ? 0 : 2;
}

const reverseCommand = (args: string[]) =>
  authorizationCommand(
    "reverse",
    args,
    async () => (await import("./commands/reverseOrder")).reverseOrder,
    (order, reversed, part) => {
      const reversal = reversed?.reversal;
      const approved = reversal?.authRevCode === "approved";
      return {
        done: approved,
        line: () =>
          approved
            ? reversed?.authAmt?.amount === 0
              ? `order ${order.id} ${order.state}: authorization ${part ?? 1} reversed, nothing authorized`
              : `order ${order.id} ${order.state}: authorization ${part ?? 1} reduced to ${reversed?.authAmt ? formatAmount(reversed.authAmt) : "?"}`
            : `order ${order.id} not reversed (${order.state}): ${reversal?.authRevCode ? `AuthRevCode ${reversal.authRevCode}` : (reversal?.failure ?? "no answer")}`,
      };
    },
  );

/** `--installments N` or `--recurring DAYS:YYYY-MM-DD`, as the order's terms (the merchant checks them). */
function termsOption(installments: string | undefined, recurring: string | undefined) {
  if (installments !== undefined && recurring !== undefined)
    throw new LabFailure("--installments and --recurring exclude each other");
  if (installments !== undefined) {
    if (!/^[0-9]{1,3}$/.test(installments))
      throw new LabFailure("--installments takes a count from 2 to 999");
    return { terms: { installments: Number(installments) } };
  }
  if (recurring === undefined) return {};
  const m = /^([0-9]{1,3}):([0-9]{4}-[0-9]{2}-[0-9]{2})$/.exec(recurring);
  if (!m) throw new LabFailure("--recurring takes DAYS:YYYY-MM-DD");
  return { terms: { recurringDays: Number(m[1]), recurringExpiry: m[2] } };
}

async function authorizeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      home: { type: "string", default: ".setlab" },
      json: { type: "boolean", default: false },
      advance: { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 2) throw new UsageError("authorize needs ORDER AMOUNT");
  const { advanceSecondsOf, authorizeOrder } = await import("./commands/authorizeOrder");
  const order = await authorizeOrder(
    values.home,
    positionals[0],
    positionals[1],
    values.advance === undefined ? {} : { advanceSeconds: advanceSecondsOf(values.advance) },
  );
  const last = order.authorization?.subsequent?.at(-1);
  const approved = last?.authCode === "approved";
  if (values.json) out(JSON.stringify(order));
  else
    out(
      approved && last?.authAmt
        ? `order ${order.id} ${order.state}: authorization ${last.part} approved, ${formatAmount(last.authAmt)}`
        : `order ${order.id} ${order.state}: not authorized (${last?.authCode ? `AuthCode ${last.authCode}` : (last?.failure ?? "no answer")})`,
    );
  return approved ? 0 : 2;
}

async function soak(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      home: { type: "string", default: ".setlab/soak" },
      seconds: { type: "string" },
      rate: { type: "string" },
      faults: { type: "string" },
      concurrency: { type: "string" },
      seed: { type: "string" },
      "settle-seconds": { type: "string" },
      json: { type: "boolean", default: false },
    },
    strict: true,
  });
  const faults = values.faults ?? "light";
  if (faults !== "none" && faults !== "light" && faults !== "heavy")
    throw new LabFailure(`--faults must be none, light or heavy, not "${faults}"`);
  const seconds = numberOption("--seconds", values.seconds);
  const rate = numberOption("--rate", values.rate);
  const concurrency = numberOption("--concurrency", values.concurrency);
  const seed = numberOption("--seed", values.seed);
  const settleSeconds = numberOption("--settle-seconds", values["settle-seconds"]);
  const [{ runSoak }, { formatSoakReport }] = await Promise.all([
    import("./soak/runSoak"),
    import("./soak/soakReport"),
  ]);
  const report = await runSoak({
    home: values.home,
    faults,
    ...(seconds === undefined ? {} : { seconds }),
    ...(rate === undefined ? {} : { rate }),
    ...(concurrency === undefined ? {} : { concurrency }),
    ...(seed === undefined ? {} : { seed }),
    ...(settleSeconds === undefined ? {} : { settleSeconds }),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  out(values.json ? JSON.stringify(report) : formatSoakReport(report));
  return report.lost > 0 || report.ledgerMismatches.length > 0 ? 1 : 0;
}

async function browserSetupCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      home: { type: "string", default: ".setlab" },
      profile: { type: "string" },
      "trust-origin": { type: "string", multiple: true },
    },
    strict: true,
  });
  if (!values.profile)
    throw new LabFailure("browser-setup needs --profile DIR (a Chromium user data directory)");
  const { browserSetup } = await import("./commands/browserSetup");
  const setup = browserSetup({
    profile: values.profile,
    state: readState(values.home),
    trustedOrigins: values["trust-origin"] ?? [],
  });
  out(`extension ${setup.extensionId} in ${setup.extensionDir}`);
  out(`native-messaging host manifest ${setup.hostManifest}`);
  out(
    `start Chromium with: chromium --user-data-dir=${values.profile} --load-extension=${setup.extensionDir} --disable-extensions-except=${setup.extensionDir}`,
  );
  return 0;
}

async function shopCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      home: { type: "string", default: ".setlab" },
      port: { type: "string", default: "8080" },
      profiles: { type: "string", default: "set,hardened" },
    },
    strict: true,
  });
  const port = numberOption("--port", values.port) ?? 8080;
  const profiles = values.profiles.split(",").map((p) => p.trim());
  for (const p of profiles)
    if (!initiationProfiles.includes(p as InitiationProfile))
      throw new LabFailure(`--profiles takes a list of ${initiationProfiles.join(", ")}, not "${p}"`);
  const { startShop } = await import("./commands/shop");
  const shop = await startShop({ home: values.home, port, profiles: profiles as InitiationProfile[] });
  out(`web shop at ${shop.url} (Ctrl-C stops it)`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await shop.close();
  return 0;
}

/** `--home DIR` out of a command's arguments (the fault and soak commands parse the rest). */
function takeHome(args: readonly string[], fallback: string): { home: string; args: string[] } {
  const rest = [...args];
  const at = rest.findIndex((a) => a === "--home" || a.startsWith("--home="));
  if (at < 0) return { home: fallback, args: rest };
  if (rest[at].startsWith("--home=")) return { home: rest.splice(at, 1)[0].slice(7), args: rest };
  const home = rest[at + 1];
  if (home === undefined || home.startsWith("--")) throw new LabFailure("--home needs a directory");
  rest.splice(at, 2);
  return { home, args: rest };
}

// Child processes and their pipes may outlive a command: end with its code.
runMain(main, { exitWhenDone: true });
