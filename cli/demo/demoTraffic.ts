import { createRandom } from '../../shared/baseline/random.js';
import { driftAt, type DemoScenario } from './demoScenario.js';
import { TrafficSource, type TrafficEvent } from './trafficSource.js';

/**
 * The week's traffic in the order the broker receives it: ordinary transactions spread over the week (one per slot
 * of equal length, at a random point inside it), merged with the attacker's burst of probes. Exactly
 * `scenario.events` events in all.
 */
export function* demoTraffic(scenario: DemoScenario): Generator<TrafficEvent> {
  const source = new TrafficSource(scenario.seed, {
    callers: scenario.callers,
    probeCallerId: scenario.probe.callerId,
  });
  const random = createRandom(scenario.seed + 1);
  const { fromInMs, toInMs } = scenario.window;
  const probes = scenario.probe.queries;
  const ordinary = scenario.events - probes;
  const slot = (toInMs - fromInMs) / ordinary;
  const probeSlot = (scenario.probe.toInMs - scenario.probe.fromInMs) / probes;
  const { malformed } = scenario;

  let probeIndex = 0;
  let nextProbeAt = scenario.probe.fromInMs + random.nextFloat() * probeSlot;
  for (let i = 0; i < ordinary; i++) {
    const time = Math.floor(fromInMs + (i + random.nextFloat()) * slot);
    while (probeIndex < probes && nextProbeAt <= time) {
      yield source.probe(Math.floor(nextProbeAt));
      probeIndex++;
      nextProbeAt = scenario.probe.fromInMs + (probeIndex + random.nextFloat()) * probeSlot;
    }
    const share = time >= malformed.fromInMs && time < malformed.toInMs ? malformed.share : malformed.backgroundShare;
    const drift = driftAt(scenario, time);
    yield random.nextFloat() < share
      ? source.malformed(time)
      : source.ordinary(time, drift, drift * scenario.drift.camouflage);
  }
  while (probeIndex < probes) {
    yield source.probe(Math.floor(nextProbeAt));
    probeIndex++;
    nextProbeAt = scenario.probe.fromInMs + (probeIndex + random.nextFloat()) * probeSlot;
  }
}
