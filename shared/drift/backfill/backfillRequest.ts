import { fail, ok, type Result } from '../../errors.js';
import { earlierWindows, previousIsoWeek, previousUtcDay, type DriftWindow } from '../run/driftWindow.js';
import type { DriftRunName } from './backfillOrchestration.js';

/** What POST drift/backfill asks: recompute a run's last windows (after a baseline change, say). */
export interface BackfillRequest {
  run: DriftRunName;
  /** Oldest first. */
  windows: DriftWindow[];
}

const KEYS = new Set(['run', 'windows', 'before']);

/**
 * Reads `{ run?, windows?, before? }`: `run` weeklyDrift (default) or dailyDrift, `windows` how many of its last
 * complete windows (default 1, at most `maxWindows`), `before` an ISO instant they end at or before (default now, never
 * later). Anything else is refused with what was expected.
 */
export function parseBackfillRequest(
  body: unknown,
  options: { nowInMs: number; maxWindows: number },
): Result<BackfillRequest> {
  const bad = (message: string) => fail('bad-input', 'BACKFILL.BAD_REQUEST', message);
  if (body === undefined || body === null) body = {};
  if (typeof body !== 'object' || Array.isArray(body)) return bad('the body must be a JSON object');
  const b = body as Record<string, unknown>;
  const unknown = Object.keys(b).filter((k) => !KEYS.has(k));
  if (unknown.length > 0) return bad(`unknown field(s) ${unknown.join(', ')}; expected run, windows, before`);
  const run = b.run ?? 'weeklyDrift';
  if (run !== 'weeklyDrift' && run !== 'dailyDrift')
    return bad(`run must be weeklyDrift or dailyDrift, got ${String(run)}`);
  const count = b.windows ?? 1;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > options.maxWindows)
    return bad(`windows must be a whole number from 1 to ${options.maxWindows}, got ${JSON.stringify(count)}`);
  let beforeInMs = options.nowInMs;
  if (b.before !== undefined) {
    beforeInMs = typeof b.before === 'string' ? Date.parse(b.before) : Number.NaN;
    if (!Number.isFinite(beforeInMs) || typeof b.before !== 'string' || !/(Z|[+-]\d\d:\d\d)$/.test(b.before))
      return bad(
        `before must be an ISO 8601 instant with its offset (2024-01-22T00:00:00Z), got ${JSON.stringify(b.before)}`,
      );
    if (beforeInMs > options.nowInMs) return bad(`before is in the future: ${b.before}`);
  }
  const last = run === 'weeklyDrift' ? previousIsoWeek(beforeInMs) : previousUtcDay(beforeInMs);
  return ok({ run, windows: [...earlierWindows(last, count - 1), last] });
}
