import { afterAll, describe, expect, it } from 'vitest';
import { EvidentlyPeer, realDatasetVerdicts } from '../../bench/quality/driftVerdicts.js';
import { peerPython } from '../../bench/quality/peerPython.js';

// Live beside Evidently (scripts/python/peers.sh installs it; .ci/run does): on scikit-learn's real datasets our
// verdicts must raise no more false alarms than Evidently's defaults and detect what they detect.
const python = peerPython('evidently', 'pandas');
if (!python) throw new Error('Evidently not found: run scripts/python/peers.sh (or set MRM_PEER_PYTHON)');
const peer = new EvidentlyPeer(python);
afterAll(() => peer.close());

describe('drift verdicts beside Evidently on scikit-learn datasets (10 random halves each)', () => {
  for (const name of ['breast_cancer', 'wine', 'diabetes'] as const) {
    it(`${name}: no more false flags than Evidently on clean halves, never dataset drift, and a +0.5σ move found as often`, () => {
      const v = realDatasetVerdicts(name, 10, peer);
      expect(v.evidently).toBeDefined();
      expect(v.falseFlagsPerSplit).toBeLessThanOrEqual(v.evidently!.falseFlagsPerSplit);
      expect(v.datasetDriftShare).toBe(0);
      expect(v.shiftDetected).toBeGreaterThanOrEqual(Math.min(v.evidently!.shiftDetected, 0.9));
    });
  }
});
