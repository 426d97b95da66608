import { number } from '../setting.js';
import { THRESHOLDS } from '../monitoring.js';

/** Settings of retrainWebhook (and `mrm alert`). */
export const retrainingSettings = {
  retrainThreshold: number('MRM_RETRAIN_THRESHOLD', 'A direct payload retrains when drift_magnitude exceeds this.', THRESHOLDS.retrainDriftMagnitude, ['retrainWebhook'], { min: 0, max: 1 }),
} as const;
