import { describe, expect, it } from 'vitest';
import {
  groupByKey,
  sendTraffic,
  type EventSender,
  type KeyedEvents,
  type SendClock,
  type SendOptions,
} from '../../../cli/demo/sendTraffic.js';

/** A sender that records what it was given; can fail on a chosen call. */
class RecordingSender implements EventSender {
  readonly calls: KeyedEvents[][] = [];
  constructor(private readonly failOnCall?: number) {}
  async send(groups: readonly KeyedEvents[]) {
    this.calls.push([...groups]);
    if (this.calls.length === this.failOnCall) throw new Error('hub refused the batch');
    return { batches: groups.length };
  }
}

/** A clock that only moves when slept on (plus a fixed cost per reading, if asked). */
class ManualClock implements SendClock {
  time = 0;
  readonly sleeps: number[] = [];
  nowInMs() {
    return this.time;
  }
  async sleep(ms: number) {
    this.sleeps.push(ms);
    this.time += ms;
  }
}

const base: SendOptions = {
  events: 2000,
  ratePerSecond: 0,
  chunkSize: 250,
  seed: 3,
  callers: 40,
  drift: 0,
  driftAfter: 0,
  malformedShare: 0,
  probes: 0,
};
const bodies = (sender: RecordingSender) => sender.calls.flat().flatMap((g) => g.events);

describe('sendTraffic', () => {
  it('sends every event exactly once, in chunks, one group per partition key with the key’s events in order', async () => {
    const sender = new RecordingSender();
    const report = await sendTraffic(sender, new ManualClock(), base);
    expect(report).toMatchObject({
      sent: 2000,
      sends: 8,
      kinds: { ordinary: 2000, malformed: 0, probe: 0 },
      partitionKeys: 40,
    });
    expect(report.batches).toBe(sender.calls.reduce((n, c) => n + c.length, 0));
    for (const call of sender.calls) {
      expect(call.reduce((n, g) => n + g.events.length, 0)).toBe(250);
      const keys = call.map((g) => g.partitionKey);
      expect(new Set(keys).size).toBe(keys.length);
      for (const group of call) for (const e of group.events) expect(e.partitionKey).toBe(group.partitionKey);
    }
    const ids = bodies(sender).map((e) => (JSON.parse(e.body.toString()) as { id: string }).id);
    expect(new Set(ids).size).toBe(2000);
  });

  it('holds the rate limit: 2,000 events at 500/s take at least 4 s, waiting after each chunk', async () => {
    const clock = new ManualClock();
    const report = await sendTraffic(new RecordingSender(), clock, { ...base, ratePerSecond: 500 });
    expect(report.elapsedInMs).toBeGreaterThanOrEqual(4000);
    expect(clock.sleeps).toHaveLength(8);
    expect(clock.sleeps.every((ms) => Math.abs(ms - 500) < 1e-6)).toBe(true);
  });

  it('does not wait when sending is already slower than the rate', async () => {
    const clock = new ManualClock();
    const slow: EventSender = {
      send: async (groups) => {
        clock.time += 2000;
        return { batches: groups.length };
      },
    };
    await sendTraffic(slow, clock, { ...base, ratePerSecond: 500 });
    expect(clock.sleeps).toEqual([]);
  });

  it('spreads exactly the asked number of probes from one attacker through the run', async () => {
    const sender = new RecordingSender();
    const report = await sendTraffic(sender, new ManualClock(), { ...base, probes: 200 });
    expect(report.kinds.probe).toBe(200);
    const perCall = sender.calls.map((call) => call.flatMap((g) => g.events).filter((e) => e.kind === 'probe').length);
    expect(perCall).toEqual(new Array(8).fill(25));
    expect(
      new Set(
        bodies(sender)
          .filter((e) => e.kind === 'probe')
          .map((e) => e.partitionKey),
      ).size,
    ).toBe(1);
  });

  it('mixes in broken bodies at the asked share and drifts only after driftAfter', async () => {
    const sender = new RecordingSender();
    const report = await sendTraffic(sender, new ManualClock(), {
      ...base,
      events: 4000,
      malformedShare: 0.05,
      drift: 1,
      driftAfter: 2000,
    });
    expect(report.kinds.malformed / 4000).toBeGreaterThan(0.03);
    expect(report.kinds.malformed / 4000).toBeLessThan(0.07);
    const all = bodies(sender);
    const amounts = (from: number, to: number) =>
      all
        .slice(from, to)
        .filter((e) => e.kind === 'ordinary')
        .map((e) => Number((JSON.parse(e.body.toString()) as { features: { amount: number } }).features.amount));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // Events are recorded grouped by key within each chunk of 250; chunks 0–7 come before the drift, 8–15 after.
    expect(mean(amounts(2000, 4000)) / mean(amounts(0, 2000))).toBeGreaterThan(1.4);
  });

  it('stops at the first failed send and reports it', async () => {
    const sender = new RecordingSender(3);
    await expect(sendTraffic(sender, new ManualClock(), base)).rejects.toThrow('hub refused the batch');
    expect(sender.calls).toHaveLength(3);
  });

  it('refuses impossible options, naming each', async () => {
    await expect(
      sendTraffic(new RecordingSender(), new ManualClock(), {
        ...base,
        events: 0,
        drift: 2,
        probes: -1,
        ratePerSecond: -5,
      }),
    ).rejects.toThrow(
      'events must be a whole number >= 1, got 0; probes must be a whole number >= 0, got -1; ratePerSecond must be a number >= 0, got -5; drift must be in [0, 1], got 2',
    );
    await expect(
      sendTraffic(new RecordingSender(), new ManualClock(), { ...base, events: 10, probes: 11 }),
    ).rejects.toThrow('probes (11) cannot exceed events (10)');
  });
});

describe('groupByKey', () => {
  it('keeps keys in order of first appearance and each key’s events in order', () => {
    const e = (key: string, n: number) => ({
      body: Buffer.from(String(n)),
      partitionKey: key,
      timeInMs: n,
      id: 'e-1',
      kind: 'ordinary' as const,
      properties: {},
    });
    const groups = groupByKey([e('b', 1), e('a', 2), e('b', 3), e('c', 4), e('a', 5)]);
    expect(groups.map((g) => [g.partitionKey, g.events.map((x) => x.timeInMs)])).toEqual([
      ['b', [1, 3]],
      ['a', [2, 5]],
      ['c', [4]],
    ]);
  });
});
