import { describe, expect, it } from 'vitest';
import { planDemoScenario } from '../../../cli/demo/demoScenario.js';
import { demoTraffic } from '../../../cli/demo/demoTraffic.js';
import type { TrafficEvent } from '../../../cli/demo/trafficSource.js';

const scenario = planDemoScenario({ events: 30_000, seed: 9, nowInMs: Date.UTC(2026, 2, 4, 10) });
const events: TrafficEvent[] = [...demoTraffic(scenario)];
const bodyOf = (e: TrafficEvent) =>
  JSON.parse(e.body.toString('utf8')) as { id: string; callerId: string; features: Record<string, number | string> };
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('demoTraffic', () => {
  it('yields exactly the planned number of events, in time order, all inside the week', () => {
    expect(events).toHaveLength(30_000);
    for (let i = 1; i < events.length; i++) expect(events[i]!.timeInMs).toBeGreaterThanOrEqual(events[i - 1]!.timeInMs);
    expect(events[0]!.timeInMs).toBeGreaterThanOrEqual(scenario.window.fromInMs);
    expect(events[events.length - 1]!.timeInMs).toBeLessThan(scenario.window.toInMs);
  });

  it('gives every event a unique id and the caller id as its partition key', () => {
    const ids = new Set<string>();
    for (const e of events.filter((x) => x.kind !== 'malformed')) {
      const body = bodyOf(e);
      expect(body.callerId).toBe(e.partitionKey);
      ids.add(body.id);
    }
    expect(ids.size).toBe(events.filter((x) => x.kind !== 'malformed').length);
  });

  it('sends every probe from the attacker, inside its hour', () => {
    const probes = events.filter((e) => e.kind === 'probe');
    expect(probes).toHaveLength(scenario.probe.queries);
    for (const p of probes) {
      expect(p.partitionKey).toBe(scenario.probe.callerId);
      expect(p.timeInMs).toBeGreaterThanOrEqual(scenario.probe.fromInMs);
      expect(p.timeInMs).toBeLessThan(scenario.probe.toInMs);
    }
    expect(events.filter((e) => e.kind !== 'probe' && e.partitionKey === scenario.probe.callerId)).toHaveLength(0);
  });

  it('breaks about 30% of the bodies during the faulty release and almost none otherwise', () => {
    const during = events.filter(
      (e) => e.kind !== 'probe' && e.timeInMs >= scenario.malformed.fromInMs && e.timeInMs < scenario.malformed.toInMs,
    );
    const share = during.filter((e) => e.kind === 'malformed').length / during.length;
    expect(share).toBeGreaterThan(0.15);
    expect(share).toBeLessThan(0.45);
    const outside = events.filter(
      (e) =>
        e.kind !== 'probe' && (e.timeInMs < scenario.malformed.fromInMs || e.timeInMs >= scenario.malformed.toInMs),
    );
    expect(outside.filter((e) => e.kind === 'malformed').length / outside.length).toBeLessThan(0.002);
  });

  it('drifts after the onset: higher amounts and a shift to online and electronics, none before', () => {
    const ordinary = events.filter((e) => e.kind === 'ordinary');
    const before = ordinary.filter((e) => e.timeInMs < scenario.drift.onsetInMs).map(bodyOf);
    const after = ordinary.filter((e) => e.timeInMs >= scenario.drift.onsetInMs + scenario.drift.rampInMs).map(bodyOf);
    const amount = (xs: typeof before) => mean(xs.map((b) => Number(b.features.amount)));
    expect(amount(after) / amount(before)).toBeGreaterThan(1.4);
    const online = (xs: typeof before) =>
      xs.filter((b) => b.features.merchant_category === 'online' || b.features.merchant_category === 'electronics')
        .length / xs.length;
    expect(online(after) - online(before)).toBeGreaterThan(0.15);
  });

  it('is the same traffic for the same seed, and different traffic for another', () => {
    const again = [...demoTraffic(scenario)];
    expect(again.map((e) => e.body.toString('base64'))).toEqual(events.map((e) => e.body.toString('base64')));
    const other = [...demoTraffic({ ...scenario, seed: 10 })];
    expect(other[0]!.body.equals(events[0]!.body)).toBe(false);
  });
});
