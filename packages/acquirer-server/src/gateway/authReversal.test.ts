import {
  nodeProvider,
  receiveAuthRevRes,
  type schema,
  sealAuthRevReq,
  toHex,
  wholeSeconds,
  wrapMessage,
} from "@setlab/protocol";
import fc from "fast-check";
import { type GatewayTestKit, useGatewayTestKit } from "../testing/gatewayTestKit";
import { type ApprovedAuthorization, jpy, labMerID } from "../testing/merchantSide";

const p = nodeProvider();
const kit = useGatewayTestKit(p);

type Gw = ReturnType<GatewayTestKit["gateway"]>;
const account = "visa-approve";
const state = ({ store }: Gw) => ({ held: store.account(account)?.held, posted: store.postedOf(account) });

async function authRevReq(
  a: ApprovedAuthorization,
  newAmount: number,
  options: { rrpid?: Uint8Array; capToken?: schema.CapToken | null; payload?: schema.AuthResPayload } = {},
) {
  const rrpid = options.rrpid ?? p.random(20);
  const data: schema.AuthRevReqData = {
    authRevTags: {
      authRevRRTags: {
        rrpid,
        merTermIDs: { merchantID: labMerID },
        currentDate: wholeSeconds(new Date()),
      },
    },
    authReqData: a.authReqData,
    authResPayload: options.payload ?? a.authResPayload,
    authNewAmt: jpy(newAmount),
  };
  const token = options.capToken === null ? undefined : (options.capToken ?? a.capToken);
  const sealed = await sealAuthRevReq(
    p,
    await kit.b.merchantSigner("Visa"),
    kit.b.gatewayKex("Visa"),
    data,
    a.piDer,
    token,
  );
  const bytes = wrapMessage(
    { type: "authReversalRequest", value: sealed },
    { rrpid, lid_C: a.transIDs.lid_C, xid: a.transIDs.xid },
    { date: new Date() },
  );
  return { bytes, rrpid, authNewAmt: jpy(newAmount) };
}

async function answer(bytes: Uint8Array, sent: Awaited<ReturnType<typeof authRevReq>>) {
  await kit.merchant.refuseError(bytes);
  return receiveAuthRevRes(
    p,
    bytes,
    {
      authRevRRPID: sent.rrpid,
      authNewAmt: sent.authNewAmt,
      brand: "Visa",
      gateway: kit.b.gatewayKex("Visa"),
    },
    await kit.merchant.keys(),
  );
}

async function capture(g: Gw, a: ApprovedAuthorization, amount: number, token = a.capToken) {
  const sent = await kit.merchant.capReq([{ a, amount, token }]);
  const r = await kit.merchant.capRes((await g.gw.handle(sent.bytes)).response, sent);
  return r.items[0].payload.capCode;
}

describe("gateway: AuthRevReq -> AuthRevRes", () => {
  it("a cancellation releases the whole hold; the authorization can no longer be captured", async () => {
    const g = gateway();
    const a = await kit.merchant.authorize(g, 1000);
    expect(state(g)).toEqual({ held: 1000, posted: 0 });
    const sent = await authRevReq(a, 0);
    const out = await g.gw.handle(sent.bytes);
    expect(out).toMatchObject({ message: "AuthRevReq", kind: "authRevRes", authRevCode: "approved" });
    const r = await answer(out.response, sent);
    expect([r.verdict, r.capTokenNew]).toEqual(["reversed", undefined]);
    expect(state(g)).toEqual({ held: 0, posted: 0 });
    expect(g.store.authorization(toHex(a.authRRPID))).toMatchObject({ held: 0 });
    expect(await capture(g, a, 1000)).toBe("authExpired");
  });

  it("a reduction shrinks the hold and answers a new CapToken for the new amount; the old CapToken can no longer take the old amount", async () => {
    const g = gateway();
    const a = await kit.merchant.authorize(g, 1000);
    const sent = await authRevReq(a, 600);
    const r = await answer((await g.gw.handle(sent.bytes)).response, sent);
    expect(r.verdict).toBe("reversed");
    expect(r.authResPayloadNew?.authHeader.authAmt).toEqual(jpy(600));
    expect(state(g)).toEqual({ held: 600, posted: 0 });
    expect(await capture(g, a, 1000)).toBe("amountError");
    expect(await capture(g, a, 700, r.capTokenNew)).toBe("amountError");
    expect(state(g)).toEqual({ held: 600, posted: 0 });
    expect(await capture(g, a, 600, r.capTokenNew)).toBe("success");
    expect(state(g)).toEqual({ held: 0, posted: 600 });
  });

  it("a second reduction starts from the first one's answer, and may cancel", async () => {
    const g = gateway();
    const a = await kit.merchant.authorize(g, 1000);
    const first = await authRevReq(a, 600);
    const r = await answer((await g.gw.handle(first.bytes)).response, first);
    // the original approval no longer describes the authorization
    const stale = await authRevReq(a, 0);
    const s = await answer((await g.gw.handle(stale.bytes)).response, stale);
    expect([s.verdict, s.data.authRevCode]).toEqual(["refused", "originalNotFound"]);
    const next = await authRevReq(a, 0, { payload: r.authResPayloadNew!, capToken: r.capTokenNew! });
    expect((await answer((await g.gw.handle(next.bytes)).response, next)).verdict).toBe("reversed");
    expect(state(g)).toEqual({ held: 0, posted: 0 });
  });

  it("the same AuthRevReq again gets the same bytes and changes nothing; the same reduction under a new RRPID is amountError", async () => {
    const g = gateway();
    const a = await kit.merchant.authorize(g, 1000);
    const sent = await authRevReq(a, 600);
    const first = await g.gw.handle(sent.bytes);
    const again = await g.gw.handle(sent.bytes);
    expect(again.kind).toBe("replay");
    expect(again.response).toEqual(first.response);
    expect(state(g)).toEqual({ held: 600, posted: 0 });
    const twice = await authRevReq(a, 600, {
      payload: (await answer(first.response, sent)).authResPayloadNew!,
    });
    const r = await answer((await g.gw.handle(twice.bytes)).response, twice);
    expect(r.data.authRevCode).toBe("amountError");
    expect(state(g)).toEqual({ held: 600, posted: 0 });
  });

  it("a reversal after capture is alreadyCaptured and changes nothing", async () => {
    const g = gateway();
    const a = await kit.merchant.authorize(g, 1000);
    expect(await capture(g, a, 1000)).toBe("success");
    const sent = await authRevReq(a, 0);
    const r = await answer((await g.gw.handle(sent.bytes)).response, sent);
    expect([r.verdict, r.data.authRevCode]).toEqual(["refused", "alreadyCaptured"]);
    expect(state(g)).toEqual({ held: 0, posted: 1000 });
  });

  it("a new amount above the authorization is amountError; a hold already released is declined; neither changes anything", async () => {
    const g = gateway();
    const a = await kit.merchant.authorize(g, 1000);
    const over = await authRevReq(a, 1001);
    expect((await answer((await g.gw.handle(over.bytes)).response, over)).data.authRevCode).toBe(
      "amountError",
    );
    expect(state(g)).toEqual({ held: 1000, posted: 0 });
    await g.store.releaseHold(toHex(a.authRRPID), new Date());
    const late = await authRevReq(a, 0);
    expect((await answer((await g.gw.handle(late.bytes)).response, late)).data.authRevCode).toBe("declined");
  });

  it("an authorization this gateway has no record of is originalNotFound; another transaction's CapToken is invalidCapToken", async () => {
    const g = gateway();
    const [a, c] = [await kit.merchant.authorize(g, 1000), await kit.merchant.authorize(g, 2000)];
    const other = gateway();
    const sent = await authRevReq(a, 0);
    expect((await answer((await other.gw.handle(sent.bytes)).response, sent)).data.authRevCode).toBe(
      "originalNotFound",
    );
    const swapped = await authRevReq(a, 0, { capToken: c.capToken });
    expect((await answer((await g.gw.handle(swapped.bytes)).response, swapped)).data.authRevCode).toBe(
      "invalidCapToken",
    );
    expect(state(g)).toEqual({ held: 3000, posted: 0 });
  });

  it("an AuthRevRRPID reused for other content is an Error (unknownRRPID), changing nothing", async () => {
    const g = gateway();
    const a = await kit.merchant.authorize(g, 1000);
    const first = await authRevReq(a, 600);
    await g.gw.handle(first.bytes);
    const reuse = await authRevReq(a, 0, { rrpid: first.rrpid });
    expect(await g.gw.handle(reuse.bytes)).toMatchObject({ kind: "error", errorCode: "unknownRRPID" });
    expect(state(g)).toEqual({ held: 600, posted: 0 });
  });

  it("survives a restart: a retry after it gets the stored answer", async () => {
    const file = kit.dbFile();
    const g = kit.gateway({ file });
    const a = await kit.merchant.authorize(g, 1000);
    const sent = await authRevReq(a, 0);
    const first = await g.gw.handle(sent.bytes);
    await g.store.close();
    const restarted = kit.gateway({ file });
    expect((await restarted.gw.handle(sent.bytes)).response).toEqual(first.response);
    expect(state(restarted)).toEqual({ held: 0, posted: 0 });
    await restarted.store.close();
  });
});

describe("the reversal ledger's write", () => {
  it("refuses, writing nothing, a hold change decided on a stale view (the hold moved meanwhile)", async () => {
    const g = gateway();
    const a = await kit.merchant.authorize(g, 1000);
    const row = {
      authRevRRPID: "ab",
      authRRPID: toHex(a.authRRPID),
      merchantID: "SETLAB-MER-0001",
      requestHash: "00",
      authRevCode: "approved",
      response: new Uint8Array([1]),
      created: new Date().toISOString(),
    };
    await expect(g.store.recordAuthReversal(row, { from: 999, to: 0 })).rejects.toThrow("hold changed");
    expect(g.store.authReversal("ab")).toBeUndefined();
    expect(state(g)).toEqual({ held: 1000, posted: 0 });
  });
});

describe("reversals and captures in any order (property)", () => {
  type Op =
    | { readonly kind: "reverse"; readonly amount: number }
    | { readonly kind: "capture"; readonly amount: number }
    | { readonly kind: "resend" };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      kind: fc.constant("reverse" as const),
      amount: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1200 })),
    }),
    fc.record({ kind: fc.constant("capture" as const), amount: fc.integer({ min: 1, max: 1200 }) }),
    fc.constant({ kind: "resend" as const }),
  );

  it("the hold is always what the model says: never above what was authorized, none after a cancellation or a capture; nothing applied twice", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 5 }), async (ops) => {
        const g = gateway();
        const base = state(g);
        let a = await kit.merchant.authorize(g, 1000);
        // The model: what the authorization stands at, whether its hold is live, what was captured.
        let authorized = 1000;
        let live = true;
        let captured = 0;
        let last: Uint8Array | undefined;
        for (const o of ops) {
          if (o.kind === "resend") {
            if (last) await g.gw.handle(last);
          } else if (o.kind === "reverse") {
            const sent = await authRevReq(a, o.amount, { payload: a.authResPayload });
            last = sent.bytes;
            const r = await answer((await g.gw.handle(sent.bytes)).response, sent);
            const applies = captured === 0 && live && o.amount < authorized;
            expect(r.verdict).toBe(applies ? "reversed" : "refused");
            if (applies) {
              authorized = o.amount;
              live = o.amount > 0;
              if (r.capTokenNew) a = { ...a, capToken: r.capTokenNew, authResPayload: r.authResPayloadNew! };
            }
          } else {
            const code = await capture(g, a, o.amount);
            const applies = captured === 0 && live && o.amount <= authorized;
            expect(code === "success").toBe(applies);
            if (applies) {
              captured = o.amount;
              live = false;
            }
          }
          expect(state(g)).toEqual({
            held: (base.held ?? 0) + (live ? authorized : 0),
            posted: base.posted + captured,
          });
        }
        await g.store.close();
      }),
      { numRuns: 12, seed: 20261206 },
    );
  }, 240_000);
});

function gateway(): Gw {
  return kit.gateway();
}
