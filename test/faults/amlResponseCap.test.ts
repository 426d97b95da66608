import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmlEndpointScorer } from '../../shared/adapters/amlEndpointScorer.js';
import { defaultSettings } from '../../shared/config/settings.js';
import type { ScoreOutcome, ScoreRequest } from '../../shared/contracts/scorer.js';
import { startFakeAmlEndpoint, type FakeAmlEndpoint } from '../helpers/fakeAmlEndpoint.js';

// Fault suite, item 4: the Azure ML scorer read answers without a size cap; a 200 that streamed whitespace for the
// whole timeout grew to 1.9 GB with two chunks in flight. The answer is now capped (MRM_AML_MAX_RESPONSE_BYTES,
// by default 64 KiB plus 4 KiB per event of the request) and a longer one is a bad response, read no further.
const requests = (count: number): ScoreRequest[] =>
  Array.from({ length: count }, (_, i) => ({ id: `e${i}`, features: { x: 0.5 }, vector: Float64Array.of(0.5) }));

/** The server sees the client hang up a moment after the client let go. */
async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition() && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
}

const failure = (outcome: ScoreOutcome | undefined) => {
  if (!outcome || outcome.ok) throw new Error(`expected a failure, got ${JSON.stringify(outcome)}`);
  return outcome.error;
};

describe('AmlEndpointScorer against an endpoint that streams whitespace', () => {
  let endpoint: FakeAmlEndpoint;
  beforeAll(async () => {
    endpoint = await startFakeAmlEndpoint({ columns: ['x'] });
  });
  afterAll(async () => endpoint.close());

  const scorer = (env: Record<string, string> = {}) =>
    AmlEndpointScorer.fromSettings(
      defaultSettings({
        MRM_SCORER: 'aml',
        MRM_AML_ENDPOINT_URL: endpoint.url,
        MRM_AML_AUTH: 'key',
        MRM_AML_KEY: 'k',
        MRM_AML_TIMEOUT_MS: '5000',
        MRM_AML_MAX_BATCH_SIZE: '50',
        ...env,
      }),
      { columns: ['x'], classes: ['0', '1'] },
    );

  it('stops reading at the default cap (64 KiB + 4 KiB per event), hangs up, and answers SCORER.BAD_RESPONSE for the chunk', async () => {
    endpoint.enqueue({ kind: 'stream-whitespace' }, { kind: 'stream-whitespace' });
    const outcomes = await scorer().scoreBatch(requests(100));
    const cap = 64 * 1024 + 4096 * 50;
    expect(outcomes).toHaveLength(100);
    for (const outcome of outcomes) {
      const error = failure(outcome);
      expect([error.kind, error.code]).toEqual(['configuration', 'SCORER.BAD_RESPONSE']);
      expect(error.detail).toMatchObject({ reason: 'too-large', maxResponseBytes: cap });
    }
    expect(failure(outcomes[0]).message).toBe(
      `The Azure ML endpoint's answer cannot be used: it is longer than ${cap} bytes for 50 events (MRM_AML_MAX_RESPONSE_BYTES)`,
    );
    const streamed = endpoint.requests.slice(-2);
    await until(() => streamed.every((r) => r.clientHungUp));
    for (const request of streamed) {
      expect(request.clientHungUp).toBe(true);
      // What the server could write before the client hung up: the cap plus what the sockets buffer on the way.
      expect(request.bytesSent).toBeLessThan(cap + 16 * 1024 * 1024);
    }
  });

  it('refuses at once an answer whose declared length is over the cap, and takes the setting when it is set', async () => {
    endpoint.enqueue({ kind: 'stream-whitespace', declareLength: 10_000_000 });
    const [first] = await scorer({ MRM_AML_MAX_RESPONSE_BYTES: '100000' }).scoreBatch(requests(1));
    expect(failure(first).detail).toMatchObject({ reason: 'too-large', maxResponseBytes: 100_000 });
    const request = endpoint.requests.at(-1)!;
    await until(() => request.clientHungUp);
    expect(request.clientHungUp).toBe(true);
    expect(request.bytesSent).toBeLessThan(10_000_000);
  });

  it('still reads an answer under the cap', async () => {
    const outcomes = await scorer().scoreBatch(requests(3));
    expect(outcomes.map((o) => o.ok && o.value.prediction)).toEqual(['0', '0', '0']);
  });
});
