/**
 * When to retry an endpoint request and how long to wait first. Pure: the clock and the random source are passed in.
 *
 * Retried: network errors, timeouts, 408, 429 and every 5xx (an overloaded or restarting deployment answers 429/503).
 * Never retried: the other 4xx (our request or our credentials are wrong; asking again cannot help).
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

export interface RetryWaitOptions {
  /** 0 for the wait before the first retry. */
  retryIndex: number;
  /** First backoff ceiling; doubles with each retry. */
  baseDelayInMs: number;
  /** No single wait is longer, Retry-After included. */
  maxDelayInMs: number;
  /** What the server asked for (Retry-After and friends), if it did. */
  retryAfterInMs?: number | undefined;
  /** Uniform in [0, 1). */
  random: () => number;
}

/**
 * Exponential backoff with full jitter (a uniform wait between 0 and base·2^n, capped), so a fleet of instances that
 * failed together does not retry together. A server's Retry-After is a floor: we never come back sooner than asked,
 * except that the wait is capped at `maxDelayInMs` so one throttled chunk cannot hold the batch past its budget.
 */
export function retryDelayInMs(options: RetryWaitOptions): number {
  const ceiling = Math.min(options.maxDelayInMs, options.baseDelayInMs * 2 ** options.retryIndex);
  const jittered = Math.floor(options.random() * ceiling);
  const floor = options.retryAfterInMs ?? 0;
  return Math.min(options.maxDelayInMs, Math.max(floor, jittered));
}

/**
 * The wait a response asks for, in ms: `retry-after-ms` / `x-ms-retry-after-ms` (Azure's millisecond forms) first,
 * then `Retry-After` as delta-seconds or an HTTP-date (a date in the past means "now": 0). Undefined when absent or
 * unreadable.
 */
export function retryAfterInMs(
  header: (name: string) => string | null | undefined,
  nowInMs: number,
): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const value = header(name)?.trim();
    if (value && /^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value));
  }
  const retryAfter = header('retry-after')?.trim();
  if (!retryAfter) return undefined;
  if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.ceil(Number(retryAfter) * 1000);
  // Every HTTP-date form starts with a day name; without this check Date.parse reads "-3" as the year -3.
  if (!/^[A-Za-z]{3}/.test(retryAfter)) return undefined;
  const date = Date.parse(retryAfter);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowInMs);
}
