/** JSON calls from the lab's tools to its parties (orders, admin views, initiation objects). */
import { type HttpResponse, httpRequest } from "@setlab/runtime/client";
import { LabFailure } from "./labState";

/** A JSON call to a lab party; every failure becomes a one-line LabFailure. */
export async function httpJson<T>(
  url: string,
  init: { method?: "GET" | "POST"; headers?: Record<string, string>; body?: string } = {},
): Promise<T> {
  let res: HttpResponse;
  try {
    res = await httpRequest(url, { ...init, timeoutMs: 15_000, maxResponseBytes: 16 * 1024 * 1024 });
  } catch (e) {
    throw new LabFailure((e as Error).message);
  }
  const text = res.body.toString("utf8");
  if (res.status < 200 || res.status > 299)
    throw new LabFailure(`${url} answered HTTP ${res.status}: ${text.slice(0, 300)}`);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new LabFailure(`${url} did not answer JSON`);
  }
}
