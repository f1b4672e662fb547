/**
 * `set-mediator native-host` as the browser runs it (from dist: `tsc -b` first): framed messages on
 * stdin and stdout and nothing else on stdout, the caller checked against --allowed-origin, and the
 * pairing code taken from the environment only.
 */
import { spawn } from "node:child_process";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { initiationFormat, writeInitiation } from "@setlab/protocol";
import { SET_PAYMENT_INITIATION } from "@setlab/runtime";
import { nativeHostProtocol } from "./nativeHostProtocol";
import { encodeNativeMessage, NativeMessageReader } from "./nativeMessaging";

const cli = path.resolve(__dirname, "../dist/cli.js");
const extension = `chrome-extension://${"a".repeat(32)}/`;

let server: http.Server;
let origin: string;

beforeAll(async () => {
  server = http.createServer((_req, res) => {
    res.setHeader("content-type", SET_PAYMENT_INITIATION);
    res.end(
      writeInitiation({
        format: initiationFormat,
        setUrl: `${origin}/set`,
        orderUrl: `${origin}/orders/1/status`,
        brands: ["Visa"],
        lidM: "order-1",
        purchAmt: { currency: 392, amount: 300, amtExp10: 0 },
        od: Buffer.from("1 x sticker").toString("base64"),
        language: "en",
        profile: "set",
        unsignedAllowed: [],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function host(args: string[], env: NodeJS.ProcessEnv = {}, input: Buffer[] = []) {
  const child = spawn(process.execPath, [cli, "native-host", ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const out: Buffer[] = [];
  let err = "";
  child.stdout.on("data", (c: Buffer) => out.push(c));
  child.stderr.on("data", (c: Buffer) => {
    err += c.toString();
  });
  for (const b of input) child.stdin.write(b);
  child.stdin.end();
  return new Promise<{ code: number | null; messages: Record<string, unknown>[]; err: string }>((resolve) =>
    child.on("close", (code) =>
      resolve({ code, messages: new NativeMessageReader(1 << 20).push(Buffer.concat(out)), err }),
    ),
  );
}

const ok = ["--phone", "127.0.0.1:9", "--allowed-origin", extension, "--cards", "visa-approve"];

describe("set-mediator native-host", () => {
  it("answers a start with the order, framed, and nothing else on stdout", async () => {
    const r = await host([...ok, extension], { SETLAB_PAIRING_CODE: "123456" }, [
      encodeNativeMessage({
        type: "start",
        protocol: nativeHostProtocol,
        initiationUrl: `${origin}/orders/1/initiation`,
        pageOrigin: origin,
      }),
    ]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.messages).toEqual([
      expect.objectContaining({
        type: "order",
        amount: "JPY 300",
        description: "1 x sticker",
        cards: ["visa-approve"],
      }),
    ]);
  });

  it("ends when the browser sends a stream that breaks the framing", async () => {
    const r = await host([...ok, extension], {}, [Buffer.from([0xff, 0xff, 0xff, 0x7f])]);
    expect(r.code).toBe(0);
    expect(r.messages).toEqual([]);
  });

  it.each([
    [
      "another extension calls it",
      [...ok, `chrome-extension://${"b".repeat(32)}/`],
      {},
      /not the SET extension/,
    ],
    ["nobody is named as the caller", ok, {}, /called by nobody/],
    [
      "--allowed-origin is not an extension origin",
      ["--phone", "127.0.0.1:9", "--allowed-origin", "http://x/", "x"],
      {},
      /--allowed-origin/,
    ],
    ["--phone is missing", ["--allowed-origin", extension, extension], {}, /--phone is required/],
    ["the pairing code is malformed", [...ok, extension], { SETLAB_PAIRING_CODE: "12ab56" }, /6 digits/],
  ])("refuses to run when %s (exit 2, nothing on stdout)", async (_what, args, env, pattern) => {
    const r = await host(args as string[], env as NodeJS.ProcessEnv);
    expect(r.code).toBe(2);
    expect(r.messages).toEqual([]);
    expect(r.err).toMatch(pattern);
  });
});
