import { HttpRequest, InvocationContext } from '@azure/functions';
import { afterEach, describe, expect, it } from 'vitest';
import { createRetrainHandler } from '../../shared/compose/retrainWebhook.js';
import { printable } from '../../shared/printable.js';
import { alertFixture } from '../shared/retraining/fakes/alertFixtures.js';
import { startRetrainHarness, type RetrainHarness } from '../shared/retraining/fakes/retrainHarness.js';

// Fault suite, item 7: CR, LF and ESC from an alert's `alertRule` or a payload's `reason` reached log lines raw, so a
// caller could forge log lines or drive a terminal. Everything the function logs now has its control characters
// escaped.
const FORGED = 'drift\r\n2026-03-02T10:00:00Z [Error] forged line\u001b[31m red\u0007\u2028next\u202eevil';

function capture(): { context: InvocationContext; lines: string[] } {
  const lines: string[] = [];
  const context = new InvocationContext({
    logHandler: (_level, ...args) =>
      lines.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ')),
  });
  return { context, lines };
}

const post = (body: unknown) =>
  new HttpRequest({
    method: 'POST',
    url: 'http://localhost:7071/api/retrain',
    headers: { 'content-type': 'application/json' },
    body: { string: JSON.stringify(body) },
  });

describe('retrainWebhook log lines', () => {
  let harness: RetrainHarness;
  afterEach(async () => harness.close());

  it.each([
    [
      'an alert rule name',
      () => {
        const alert = alertFixture('metric-fired.json');
        alert.data.essentials.alertRule = FORGED;
        return alert;
      },
    ],
    ['a direct payload reason', () => ({ drift_magnitude: 0.9, features: ['income'], reason: FORGED })],
  ])('escape control characters from %s', async (_what, body) => {
    harness = await startRetrainHarness();
    const handler = createRetrainHandler(() => harness.service);
    const { context, lines } = capture();
    const response = await handler(post(body()), context);
    expect(response.status).toBe(202);
    expect(lines.length).toBeGreaterThan(0);
    // eslint-disable-next-line no-control-regex
    for (const line of lines) expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/);
    expect(lines.join('\n')).toContain(
      'drift\\r\\n2026-03-02T10:00:00Z [Error] forged line\\x1b[31m red\\x07\\u2028next\\u202eevil',
    );
  });
});

describe('printable', () => {
  it('leaves text without control characters as it is, and is one-to-one on what it escapes', () => {
    expect(printable('Alert rule "mrm-drift" fired: 0.42 > 0.3 — ok ✓')).toBe(
      'Alert rule "mrm-drift" fired: 0.42 > 0.3 — ok ✓',
    );
    expect(printable('a\tb\\n')).toBe('a\\tb\\\\n');
  });
});
