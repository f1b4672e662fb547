/**
 * Getting the initiation object (docs/purchase-flow.md, "The initiation object") from the shop's
 * URL or a file, within its size limit; `readInitiation` of `@setlab/protocol` then checks it.
 * Reading an initiation file is the only file access of the package; it writes nothing.
 */
import * as fs from "node:fs";
import { type Initiation, InitiationError, maxInitiationBytes, readInitiation } from "@setlab/protocol/relay";
import {
  HttpClientError,
  type HttpResponse,
  httpRequest,
  SET_PAYMENT_INITIATION,
} from "@setlab/runtime/client";

/** A failure to get the object at all (file or HTTP), apart from a bad object. */
const unreadable = (message: string) => new InitiationError(message, "initiation", "unspecifiedFailure");

export interface LoadInitiationOptions {
  /** For a URL: abort after this many milliseconds (default 10 000). */
  readonly timeoutMs?: number;
  readonly runId?: string;
}

/** Load an initiation object from an http(s) URL or a file path, then check it. */
export async function loadInitiation(
  source: string,
  options: LoadInitiationOptions = {},
): Promise<Initiation> {
  if (/^https?:\/\//i.test(source)) return readInitiation(await fetchInitiation(source, options));
  return readInitiation(readInitiationFile(source));
}

function readInitiationFile(file: string): string {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (e) {
    throw unreadable(`cannot read initiation file ${file}: ${(e as NodeJS.ErrnoException).code}`);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw unreadable(`initiation file ${file} is not a regular file`);
    if (stat.size > maxInitiationBytes)
      throw unreadable(`initiation file ${file} is over ${maxInitiationBytes} bytes`);
    const buffer = Buffer.alloc(maxInitiationBytes + 1);
    let length = 0;
    for (;;) {
      const n = fs.readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > maxInitiationBytes)
        throw unreadable(`initiation file ${file} is over ${maxInitiationBytes} bytes`);
    }
    return buffer.subarray(0, length).toString("utf8");
  } catch (e) {
    if (e instanceof InitiationError) throw e;
    throw unreadable(`cannot read initiation file ${file}: ${(e as NodeJS.ErrnoException).code}`);
  } finally {
    fs.closeSync(fd);
  }
}

async function fetchInitiation(url: string, options: LoadInitiationOptions): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const headers: Record<string, string> = { accept: SET_PAYMENT_INITIATION };
  if (options.runId) headers["x-setlab-run-id"] = options.runId;
  let res: HttpResponse;
  try {
    res = await httpRequest(url, { headers, timeoutMs, maxResponseBytes: maxInitiationBytes });
  } catch (e) {
    if (!(e instanceof HttpClientError)) throw e;
    if (e.kind === "timeout") throw unreadable(`no initiation object from ${url} within ${timeoutMs} ms`);
    if (e.kind === "tooLarge")
      throw unreadable(`${url} sent an initiation object over ${maxInitiationBytes} bytes`);
    throw unreadable(e.message);
  }
  // Redirects are not followed: the shop's page names the object's address itself.
  if (res.status !== 200) throw unreadable(`${url} answered HTTP ${res.status}`);
  if (res.contentType !== SET_PAYMENT_INITIATION)
    throw unreadable(`${url} answered with content type "${res.contentType}", not ${SET_PAYMENT_INITIATION}`);
  return res.body.toString("utf8");
}
