/**
 * A thin wrapper over fetch for the items API.
 */

import { sleep } from "./timing";

/** An HTTP response with a non-2xx status. */
export class HttpError extends Error {
  constructor(
    public readonly status: number,
    public readonly body: string,
    public readonly requestId?: string,
  ) {
    super(`HTTP ${status}${requestId ? ` (request ${requestId})` : ""}: ${body.slice(0, 200)}`);
    this.name = "HttpError";
  }

  /** Server errors and 429 are worth retrying; other 4xx are not. */
  get retryable(): boolean {
    return this.status >= 500 || this.status === 429;
  }
}

export interface RequestOptions {
  method?: "GET" | "POST" | "DELETE";
  body?: unknown;
  timeoutMs?: number;
  retries?: number;
  signal?: AbortSignal;
}

/**
 * Builds a query string from an object, skipping undefined and null
 * values and repeating keys for arrays: {tag: ["a", "b"]} -> "?tag=a&tag=b".
 */
export function buildQuery(params: Record<string, string | number | string[] | undefined | null>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    const values = Array.isArray(value) ? value : [String(value)];
    for (const v of values) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(v)}`);
  }
  return parts.length ? `?${parts.join("&")}` : "";
}

/**
 * Fetches JSON from the API. Aborts after `timeoutMs` (default 10 s),
 * throws HttpError for non-2xx responses, and retries retryable failures
 * with exponential backoff (250 ms, 500 ms, 1 s ...).
 */
export async function fetchJSON<T>(url: string, opts: RequestOptions = {}): Promise<T> {
  const retries = opts.retries ?? 2;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetchOnce<T>(url, opts);
    } catch (err) {
      const retryable = err instanceof HttpError ? err.retryable : err instanceof TypeError;
      if (!retryable || attempt >= retries) throw err;
      await sleep(250 * 2 ** attempt);
    }
  }
}

/** One attempt of fetchJSON, with its own timeout. */
async function fetchOnce<T>(url: string, opts: RequestOptions): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs ?? 10_000);
  opts.signal?.addEventListener("abort", () => controller.abort());
  try {
    const res = await fetch(url, {
      method: opts.method ?? "GET",
      headers: opts.body !== undefined ? { "Content-Type": "application/json" } : undefined,
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      signal: controller.signal,
    });
    if (!res.ok) {
      throw new HttpError(res.status, await res.text(), res.headers.get("X-Request-ID") ?? undefined);
    }
    return (await res.json()) as T;
  } finally {
    clearTimeout(timer);
  }
}
