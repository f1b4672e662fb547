/**
 * The gateway's fault switches on the wire: `set-gateway serve` as a real process with
 * SETLAB_ALLOW_FAULTS=1, AuthReqs built as the lab's merchant builds them, and the answers opened
 * as the merchant opens them. A second gateway started without the variable has no fault routes.
 */
import * as path from "node:path";
import { nodeProvider, parseSetCertificate, schema, toHex } from "@setlab/protocol";
import { LabPki, postSet, type StartedParty, startParty } from "@setlab/runtime";
import { AuthReqBuilder } from "../testing/authReqBuilder";
import { makeLabPkiDir } from "../testing/labPkiDir";

jest.setTimeout(120_000);

const cli = path.resolve(__dirname, "../../dist/cli.js");
const p = nodeProvider();
let tmp: ReturnType<typeof makeLabPkiDir>;
let gw: StartedParty;
let plain: StartedParty;
let b: AuthReqBuilder;

beforeAll(async () => {
  tmp = makeLabPkiDir();
  b = new AuthReqBuilder(p, LabPki.open(tmp.pkiDir));
  const serve = (name: string) => [
    "serve",
    "--pki",
    tmp.pkiDir,
    "--db",
    path.join(tmp.dir, name),
    "--port",
    "0",
  ];
  gw = await startParty(cli, serve("faults.sqlite"), { env: { ...process.env, SETLAB_ALLOW_FAULTS: "1" } });
  const { SETLAB_ALLOW_FAULTS: _, ...without } = process.env;
  plain = await startParty(cli, serve("plain.sqlite"), { env: without });
}, 120_000);

afterAll(async () => {
  await gw?.stop();
  await plain?.stop();
  tmp.cleanup();
});

afterEach(() => plan({}));

async function plan(body: unknown, party = gw): Promise<Response> {
  return fetch(`${party.url}/admin/faults`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

const post = (bytes: Uint8Array, signal?: AbortSignal) =>
  fetch(`${gw.url}/set`, {
    method: "POST",
    headers: { "content-type": "application/set-payment", "x-setlab-run-id": "run-faults" },
    body: Buffer.from(bytes),
    ...(signal ? { signal } : {}),
  });

async function authorizations(xid: Uint8Array): Promise<Record<string, unknown>[]> {
  return (await (await fetch(`${gw.url}/admin/authorizations?xid=${toHex(xid)}`)).json()) as Record<
    string,
    unknown
  >[];
}

function logs(): Record<string, unknown>[] {
  return gw
    .stderr()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function waitForLog(match: (e: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const found = logs().find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error("no such log line");
    await new Promise((r) => setTimeout(r, 50));
  }
}

const faultLine = (fault: string, xid: Uint8Array) => (e: Record<string, unknown>) =>
  e.event === "fault" && e.fault === fault && e.xid === toHex(xid);

async function approved(answer: Uint8Array): Promise<void> {
  const r = await b.read(answer);
  expect(r.type).toBe("authRes");
  expect(r.type === "authRes" && r.data.authResPayload.authHeader.authCode).toBe("approved");
}

describe("gateway fault plan routes", () => {
  it("GET shows, PUT replaces, DELETE clears; an invalid plan is 400 and changes nothing", async () => {
    expect(await (await fetch(`${gw.url}/admin/faults`)).json()).toEqual({});
    expect(await (await plan({ dropRate: 0.5, clockSkewSeconds: 3 })).json()).toEqual({
      dropRate: 0.5,
      clockSkewSeconds: 3,
    });
    const bad = await plan({ dropRate: 0.5, malformedRate: -1 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: "invalid fault plan: malformedRate must be between 0 and 1, not -1",
    });
    expect(await (await fetch(`${gw.url}/admin/faults`)).json()).toEqual({
      dropRate: 0.5,
      clockSkewSeconds: 3,
    });
    expect((await fetch(`${gw.url}/admin/faults`, { method: "DELETE" })).status).toBe(200);
    expect(await (await fetch(`${gw.url}/admin/faults`)).json()).toEqual({});
    expect(logs().some((e) => e.event === "faultsAllowed")).toBe(true);
  });

  it("a gateway started without SETLAB_ALLOW_FAULTS=1 has no fault routes, and its SET endpoint is untouched", async () => {
    for (const method of ["GET", "PUT", "DELETE"])
      expect(
        (
          await fetch(`${plain.url}/admin/faults`, {
            method,
            ...(method === "PUT"
              ? { headers: { "content-type": "application/json" }, body: '{"http5xxRate":1}' }
              : {}),
          })
        ).status,
      ).toBe(404);
    const req = await b.build({ amount: 11 });
    await approved(await postSet(`${plain.url}/set`, req.bytes));
    expect(plain.stderr()).not.toContain("faultsAllowed");
  });
});

describe("gateway faults on the wire", () => {
  it("503: empty body before anything is processed; the same AuthReq afterwards is authorized", async () => {
    await plan({ http5xxRate: 1 });
    const req = await b.build({ amount: 12 });
    const res = await post(req.bytes);
    expect(res.status).toBe(503);
    expect((await res.arrayBuffer()).byteLength).toBe(0);
    expect(await authorizations(req.parts.transIDs.xid)).toEqual([]);
    expect(await waitForLog(faultLine("http5xx", req.parts.transIDs.xid))).toMatchObject({
      runId: "run-faults",
    });
    await plan({});
    await approved(await postSet(`${gw.url}/set`, req.bytes));
    expect(await authorizations(req.parts.transIDs.xid)).toHaveLength(1);
  });

  it("drop: the connection closes without an answer after the commit; the repeat gets the stored AuthRes", async () => {
    await plan({ dropRate: 1 });
    const req = await b.build({ amount: 13 });
    await expect(post(req.bytes)).rejects.toThrow();
    const line = await waitForLog(faultLine("drop", req.parts.transIDs.xid));
    expect(line).toMatchObject({ kind: "authRes", authRRPID: toHex(req.parts.authRRPID) });
    expect(await authorizations(req.parts.transIDs.xid)).toHaveLength(1);
    await plan({});
    await approved(await postSet(`${gw.url}/set`, req.bytes));
    expect(await authorizations(req.parts.transIDs.xid)).toHaveLength(1);
  });

  it("malformed: 200 with the SET media type and bytes that are not a MessageWrapper", async () => {
    await plan({ malformedRate: 1 });
    const req = await b.build({ amount: 14 });
    const res = await post(req.bytes);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/set-payment");
    const body = new Uint8Array(await res.arrayBuffer());
    expect(() => schema.decodeMessage(body)).toThrow();
    expect(await authorizations(req.parts.transIDs.xid)).toHaveLength(1);
    await plan({});
    await approved(await postSet(`${gw.url}/set`, req.bytes));
  });

  it("bad signature: the merchant's opening of the AuthRes fails; the stored AuthRes is the genuine one", async () => {
    await plan({ badSignatureRate: 1 });
    const req = await b.build({ amount: 15 });
    const forged = await postSet(`${gw.url}/set`, req.bytes);
    const w = schema.decodeMessage(forged);
    expect(w.message.type).toBe("authorizationResponse");
    expect(toHex(w.messageHeader.messageIDs!.xid!)).toBe(toHex(req.parts.transIDs.xid));
    await expect(b.read(forged)).rejects.toThrow();
    expect(await waitForLog(faultLine("badSignature", req.parts.transIDs.xid))).not.toHaveProperty("skipped");
    await plan({});
    const genuine = await postSet(`${gw.url}/set`, req.bytes);
    await approved(genuine);
    expect(toHex(genuine)).not.toBe(toHex(forged));
  });

  it("bad signature on a SET Error answer is skipped and logged so", async () => {
    await plan({ badSignatureRate: 1 });
    const req = await b.build({ amount: 16 });
    const broken = new Uint8Array(req.bytes);
    broken[broken.length - 5] ^= 0xff;
    const r = await b.read(await postSet(`${gw.url}/set`, broken));
    expect(r.type).toBe("error");
    await waitForLog((e) => e.event === "fault" && e.fault === "badSignature" && e.skipped !== undefined);
  });

  it("delay at 'committed': the authorization is committed while the answer is held", async () => {
    await plan({ delayMs: 4000, stage: "committed" });
    const req = await b.build({ amount: 17 });
    const answer = post(req.bytes);
    const line = await waitForLog(faultLine("delay", req.parts.transIDs.xid));
    expect(line).toMatchObject({ stage: "committed", delayMs: 4000, kind: "authRes" });
    expect(await authorizations(req.parts.transIDs.xid)).toHaveLength(1);
    await approved(new Uint8Array(await (await answer).arrayBuffer()));
  });

  it("delay at 'received': nothing is committed while the request is held; it is processed afterwards", async () => {
    await plan({ delayMs: 4000, stage: "received" });
    const req = await b.build({ amount: 18 });
    const answer = post(req.bytes);
    const line = await waitForLog(faultLine("delay", req.parts.transIDs.xid));
    expect(line).toMatchObject({ stage: "received", delayMs: 4000 });
    expect(line).not.toHaveProperty("kind");
    expect(await authorizations(req.parts.transIDs.xid)).toEqual([]);
    await approved(new Uint8Array(await (await answer).arrayBuffer()));
    expect(await authorizations(req.parts.transIDs.xid)).toHaveLength(1);
  });

  it("clock skew 20 min ahead: the gateway refuses the AuthReq as messageTooOld and commits nothing", async () => {
    await plan({ clockSkewSeconds: 1200 });
    const req = await b.build({ amount: 19 });
    const r = await b.read(await postSet(`${gw.url}/set`, req.bytes));
    expect(r).toEqual({ type: "error", code: "messageTooOld" });
    expect(await authorizations(req.parts.transIDs.xid)).toEqual([]);
  });

  it("clock skew 20 min behind: refused as messageTooNew, or as invalidCertificate while the lab's certificates are younger than that", async () => {
    await plan({ clockSkewSeconds: -1200 });
    const req = await b.build({ amount: 19 });
    const gatewayTime = Date.now() - 1_200_000;
    const merchant = parseSetCertificate(LabPki.open(tmp.pkiDir).certificate("visa/merchant/signature"));
    const r = await b.read(await postSet(`${gw.url}/set`, req.bytes));
    const code = gatewayTime < merchant.notBefore.getTime() ? "invalidCertificate" : "messageTooNew";
    expect(r).toEqual({ type: "error", code });
    expect(await authorizations(req.parts.transIDs.xid)).toEqual([]);
  });

  it("clock skew within the tolerance: approved, and the AuthRes header carries the gateway's skewed date", async () => {
    await plan({ clockSkewSeconds: 600 });
    const req = await b.build({ amount: 20 });
    const before = Date.now();
    const answer = await postSet(`${gw.url}/set`, req.bytes);
    await approved(answer);
    expect(schema.decodeMessage(answer).messageHeader.date.getTime()).toBeGreaterThan(before + 500_000);
    await waitForLog(faultLine("clockSkew", req.parts.transIDs.xid));
  });
});
