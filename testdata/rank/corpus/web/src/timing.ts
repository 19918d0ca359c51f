/**
 * Rate-limiting helpers for UI events.
 */

/**
 * Returns a function that delays calling `fn` until `waitMs` have passed
 * without another call. Typing in a search box fires one request when the
 * user pauses, not one per keystroke. `cancel()` drops a pending call.
 */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, waitMs: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const debounced = (...args: A) => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      fn(...args);
    }, waitMs);
  };
  debounced.cancel = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return debounced;
}

/**
 * Returns a function that calls `fn` at most once every `intervalMs`; calls
 * in between are dropped except the last, which runs when the interval
 * ends (scroll and resize handlers).
 */
export function throttle<A extends unknown[]>(fn: (...args: A) => void, intervalMs: number) {
  let last = 0;
  let pending: A | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (...args: A) => {
    const now = Date.now();
    const remaining = intervalMs - (now - last);
    if (remaining <= 0) {
      last = now;
      fn(...args);
      return;
    }
    pending = args;
    if (timer === undefined) {
      timer = setTimeout(() => {
        last = Date.now();
        timer = undefined;
        if (pending) fn(...pending);
        pending = null;
      }, remaining);
    }
  };
}

/** Resolves after `ms` milliseconds; for retry loops and tests. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
