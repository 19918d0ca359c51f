// A tiny retry helper for fetch calls.
export interface RetryOptions {
  attempts: number;
  delayMs: number;
}

export class HttpClient {
  constructor(private base: string) {}

  async get(path: string, opts: RetryOptions): Promise<string> {
    let last: unknown;
    for (let i = 0; i < opts.attempts; i++) {
      try {
        const res = await fetch(this.base + path);
        return await res.text();
      } catch (e) {
        last = e;
        await sleep(opts.delayMs);
      }
    }
    throw last;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
