import { nodeProvider, toHex } from "@setlab/protocol";
import { closedAtEnd } from "@setlab/runtime/testing";
import type { AuthReqBuilder } from "../testing/authReqBuilder";
import { type GatewayTestKit, gatewayTestKit } from "../testing/gatewayTestKit";
import { testStoreOptions } from "../testing/testStoreOptions";
import { GatewayStore } from "./gatewayStore";

const p = nodeProvider();
let kit: GatewayTestKit;
let b: AuthReqBuilder;

beforeAll(async () => {
  kit = await gatewayTestKit(p);
  b = kit.b;
});
afterAll(() => kit.tmp.cleanup());

/** One gateway process over `file`: a fresh store handle and a fresh Gateway, as after a restart. */
const start = (file: string, maxClockSkewMs?: number) =>
  kit.gateway({ file, ...(maxClockSkewMs !== undefined ? { policy: { maxClockSkewMs } } : {}) });

const dbFile = () => kit.dbFile();

async function readAuthCode(bytes: Uint8Array): Promise<string> {
  const r = await b.read(bytes, "Visa");
  if (r.type !== "authRes") throw new Error(`expected an AuthRes, got Error ${r.code}`);
  return r.data.authResPayload.authHeader.authCode;
}

async function readErrorCode(bytes: Uint8Array): Promise<string> {
  const r = await b.read(bytes, "Visa");
  if (r.type !== "error") throw new Error("expected a SET Error");
  return r.code;
}

describe("gateway crash safety: committed before answered", () => {
  it("the authorization, the hold and the AuthRes bytes are on disk when handleAuthReq returns", async () => {
    const file = dbFile();
    const first = start(file);
    const req = await b.build();
    const out = await first.gw.handleAuthReq(req.bytes);
    // Another connection to the same file (another process) sees the committed row at once.
    const reader = closedAtEnd(GatewayStore.open(file, testStoreOptions));
    const rows = reader.authorizationsByXid(toHex(req.parts.transIDs.xid));
    expect(rows).toHaveLength(1);
    expect(Buffer.from(rows[0].response).equals(Buffer.from(out.response))).toBe(true);
    expect(reader.account("visa-approve")?.held).toBe(12800);
    await reader.close();
    await first.store.close();
  });

  it("concurrent AuthReqs: each answer's row is on disk when it returns, and one XID is authorized once", async () => {
    const file = dbFile();
    const first = start(file);
    const distinct = await Promise.all(Array.from({ length: 4 }, () => b.build()));
    const one = await b.build();
    const sameXid = await Promise.all(
      Array.from({ length: 4 }, () => b.build({ xid: one.parts.transIDs.xid })),
    );
    const reader = closedAtEnd(GatewayStore.open(file, testStoreOptions));
    const onDisk = async (req: typeof one) => {
      const out = await first.gw.handleAuthReq(req.bytes);
      const rows = reader.authorizationsByXid(toHex(req.parts.transIDs.xid));
      return { out, stored: rows.some((r) => Buffer.from(r.response).equals(Buffer.from(out.response))) };
    };
    const outs = await Promise.all([...distinct, one, ...sameXid].map(onDisk));
    expect(outs.every((o) => o.stored)).toBe(true);
    const codes = await Promise.all(outs.slice(4).map((o) => readAuthCode(o.out.response)));
    expect(codes.filter((c) => c === "approved")).toHaveLength(1);
    expect(codes.filter((c) => c === "duplicateAuthorization")).toHaveLength(4);
    // Five approvals of 12800: the four distinct XIDs and the shared one, once.
    expect(reader.account("visa-approve")?.held).toBe(5 * 12800);
    await reader.close();
    await first.store.close();
  });

  it("killed after the commit: after a restart the same AuthReq bytes get the stored AuthRes, one hold", async () => {
    const file = dbFile();
    const first = start(file);
    const req = await b.build();
    const lost = await first.gw.handleAuthReq(req.bytes); // answered, but the answer never left
    await first.store.close();

    const second = start(file);
    const retry = await second.gw.handleAuthReq(req.bytes);
    expect(retry.kind).toBe("replay");
    expect(Buffer.from(retry.response).equals(Buffer.from(lost.response))).toBe(true);
    expect(await readAuthCode(retry.response)).toBe("approved");
    expect(second.store.authorizationsByXid(toHex(req.parts.transIDs.xid))).toHaveLength(1);
    expect(second.store.account("visa-approve")?.held).toBe(12800);
    await second.store.close();
  });

  it("a stored answer is given even when the retry comes after the clock-skew window", async () => {
    const file = dbFile();
    const first = start(file);
    const req = await b.build({ date: new Date(Date.now() - 5 * 60_000) });
    const lost = await first.gw.handleAuthReq(req.bytes);
    expect(await readAuthCode(lost.response)).toBe("approved");
    await first.store.close();

    // The restarted gateway allows 1 minute of skew: the 5-minute-old AuthReq is now "too old",
    // but it was answered already, so its stored answer comes back and nothing new is decided.
    const second = start(file, 60_000);
    const retry = await second.gw.handleAuthReq(req.bytes);
    expect(retry.kind).toBe("replay");
    expect(Buffer.from(retry.response).equals(Buffer.from(lost.response))).toBe(true);
    // Negative: a NEW AuthReq of that age is refused by the same gateway.
    const fresh = await b.build({ date: new Date(Date.now() - 5 * 60_000) });
    expect(await readErrorCode((await second.gw.handleAuthReq(fresh.bytes)).response)).toBe("messageTooOld");
    expect(second.store.authorizationsByXid(toHex(fresh.parts.transIDs.xid))).toHaveLength(0);
    await second.store.close();
  });

  it("after a restart, the same AuthRRPID with another amount is refused and changes nothing", async () => {
    const file = dbFile();
    const first = start(file);
    const req = await b.build();
    await first.gw.handleAuthReq(req.bytes);
    await first.store.close();

    const second = start(file);
    const other = await b.build({
      authRRPID: req.parts.authRRPID,
      xid: req.parts.transIDs.xid,
      amount: 500,
    });
    expect(await readErrorCode((await second.gw.handleAuthReq(other.bytes)).response)).toBe("unknownRRPID");
    expect(second.store.authorizationsByXid(toHex(req.parts.transIDs.xid))).toHaveLength(1);
    expect(second.store.account("visa-approve")?.held).toBe(12800);
    await second.store.close();
  });

  it("after a restart, the same XID under a new AuthRRPID gets duplicateAuthorization, no second hold", async () => {
    const file = dbFile();
    const first = start(file);
    const req = await b.build();
    await first.gw.handleAuthReq(req.bytes);
    await first.store.close();

    const second = start(file);
    const again = await b.build({ xid: req.parts.transIDs.xid });
    expect(await readAuthCode((await second.gw.handleAuthReq(again.bytes)).response)).toBe(
      "duplicateAuthorization",
    );
    const rows = second.store.authorizationsByXid(toHex(req.parts.transIDs.xid));
    expect(rows.filter((r) => r.authCode === "approved")).toHaveLength(1);
    expect(second.store.account("visa-approve")?.held).toBe(12800);
    await second.store.close();
  });

  it("a hold that cannot be taken rolls the whole authorization back (one write)", async () => {
    const file = dbFile();
    const { store } = start(file);
    const row = {
      authRRPID: "aa".repeat(20),
      xid: "bb".repeat(20),
      merchantID: "SETLAB-MER-0001",
      brand: "Visa",
      amount: 100,
      currency: 392,
      amtExp10: 0,
      authCode: "approved",
      // A hold on an account that does not exist is refused: the row must not be written either.
      held: 100,
      cardId: "no-such-account",
      requestHash: "00",
      response: Uint8Array.of(1),
      created: new Date().toISOString(),
    };
    await expect(store.recordAuthorization(row)).rejects.toThrow("no account no-such-account");
    expect(store.authorization(row.authRRPID)).toBeUndefined();
    await store.close();
  });
});
