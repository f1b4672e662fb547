/**
 * What the gateway's HTTP shell logs: one line per AuthReq or CapReq (run id, ids, outcome, duration), a
 * refusal with its ErrorCode, an unexpected failure at error level, masked. The gateway core is a
 * stub here: only the shell's logging is under test.
 */
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { createLogger, RUN_ID_HEADER, SET_PAYMENT } from "@setlab/runtime";
import type { AuthReqOutcome } from "./gateway/authReqOutcome";
import type { AuthRevReqOutcome } from "./gateway/authReversal";
import type { CapReqOutcome } from "./gateway/capture";
import type { Gateway } from "./gateway/gateway";
import { buildGatewayServer } from "./server";

const PAN = "4111110000000005";
const xid = "2eb44810a8676a44e8883f81a7513d71f16c4113";

async function gatewayOnce(
  handleAuthReq: () => Promise<AuthReqOutcome>,
  message: "AuthReq" | "CapReq" | "AuthRevReq" = "AuthReq",
) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split("\n")) if (l) lines.push(JSON.parse(l));
      done();
    },
  });
  const app = buildGatewayServer({
    gateway: {
      handle: async () => ({ message, ...(await handleAuthReq()) }),
    } as unknown as Gateway,
    logger: createLogger("gateway", { level: "info", destination }),
  });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  expect(url).toContain(String((app.server.address() as AddressInfo).port));
  const r = await fetch(`${url}/set`, {
    method: "POST",
    headers: { "content-type": SET_PAYMENT, [RUN_ID_HEADER]: "run-9" },
    body: new Uint8Array([0x30, 0x00]),
  });
  await r.arrayBuffer();
  await app.close();
  return { status: r.status, lines };
}

describe("gateway log lines", () => {
  it("one info line per AuthReq answered, with run id, XID, AuthCode and duration", async () => {
    const { status, lines } = await gatewayOnce(async () => ({
      response: new Uint8Array([1]),
      kind: "authRes",
      xid,
      authCode: "approved",
    }));
    expect(status).toBe(200);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: "AuthReq answered",
      runId: "run-9",
      xid,
      kind: "authRes",
      authCode: "approved",
    });
    expect(typeof lines[0]?.ms).toBe("number");
  });

  it("a refusal names its SET ErrorCode; an internal failure is an error line", async () => {
    const refused = await gatewayOnce(async () => ({
      response: new Uint8Array([1]),
      kind: "error",
      errorCode: "signatureFailure",
      reason: `no match for ${PAN}`,
    }));
    expect(refused.lines[0]).toMatchObject({
      level: 30,
      msg: "AuthReq refused",
      errorCode: "signatureFailure",
    });
    expect(JSON.stringify(refused.lines)).not.toContain(PAN);
    const internal = await gatewayOnce(async () => ({
      response: new Uint8Array([1]),
      kind: "error",
      errorCode: "unspecifiedFailure",
      internal: true,
    }));
    expect(internal.lines[0]).toMatchObject({ level: 50, msg: "AuthReq failed unexpectedly" });
  });

  it("a CapReq has its own line: CapRRPID, items captured and refused; a refusal and an internal failure as for AuthReq", async () => {
    const capRRPID = "c0".repeat(20);
    const capture = (out: CapReqOutcome) => gatewayOnce(async () => out as AuthReqOutcome, "CapReq");
    const answered = await capture({
      response: new Uint8Array([1]),
      kind: "capRes",
      capRRPID,
      captured: 2,
      refused: 1,
    });
    expect(answered.lines).toHaveLength(1);
    expect(answered.lines[0]).toMatchObject({
      level: 30,
      msg: "CapReq answered",
      event: "capReq",
      runId: "run-9",
      kind: "capRes",
      capRRPID,
      captured: 2,
      refused: 1,
    });
    expect(typeof answered.lines[0]?.ms).toBe("number");
    expect(answered.lines[0]).not.toHaveProperty("xid");
    const refused = await capture({
      response: new Uint8Array([1]),
      kind: "error",
      errorCode: "unknownRRPID",
    });
    expect(refused.lines[0]).toMatchObject({ level: 30, msg: "CapReq refused", errorCode: "unknownRRPID" });
    const internal = await capture({ response: new Uint8Array([1]), kind: "error", internal: true });
    expect(internal.lines[0]).toMatchObject({ level: 50, msg: "CapReq failed unexpectedly" });
  });

  it("an AuthRevReq has its own line: AuthRevRRPID, the authorization and its AuthRevCode", async () => {
    const authRevRRPID = "a0".repeat(20);
    const out: AuthRevReqOutcome = {
      response: new Uint8Array([1]),
      kind: "authRevRes",
      authRevRRPID,
      authRRPID: "b0".repeat(20),
      authRevCode: "alreadyCaptured",
    };
    const answered = await gatewayOnce(async () => out as AuthReqOutcome, "AuthRevReq");
    expect(answered.lines).toHaveLength(1);
    expect(answered.lines[0]).toMatchObject({
      level: 30,
      msg: "AuthRevReq answered",
      event: "authRevReq",
      runId: "run-9",
      authRevRRPID,
      authRevCode: "alreadyCaptured",
    });
    expect(answered.lines[0]).not.toHaveProperty("xid");
  });

  it("a failure escaping the route is logged at error, masked, and answered 500", async () => {
    const { status, lines } = await gatewayOnce(async () => {
      throw new Error(`issuer broke on ${PAN}`);
    });
    expect(status).toBe(500);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 50,
      event: "requestFailed",
      runId: "run-9",
      req: { method: "POST", url: "/set" },
      err: { message: "issuer broke on 411111******0005" },
    });
    expect(JSON.stringify(lines)).not.toContain(PAN);
  });
});
