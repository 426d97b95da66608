import { container, flag, number } from '../setting.js';

/** Settings of the stream detectors inside scoreEvents (and `mrm score`): drift-methods.md "Online". */
export const streamSettings = {
  enabled: flag(
    'MRM_STREAM_DETECTORS',
    'Run the stream detectors per partition inside scoreEvents: labelled-error window rule and CUSUM, score, entropy and non-ACCEPT share CUSUMs, and the estimated accuracy (CBPE).',
    true,
    ['scoreEvents'],
  ),
  windowEvents: number(
    'MRM_STREAM_WINDOW_EVENTS',
    "Labelled events per tumbling window of the windowed accuracy rule, and classifier events per estimated-accuracy window; an alarming detector stays silent for 10 windows of a partition's events.",
    1000,
    ['scoreEvents'],
    { min: 30, max: 1_000_000, integer: true },
  ),
  minDrop: number(
    'MRM_STREAM_MIN_DROP',
    "Smallest accuracy drop below the baseline's held-out accuracy worth an alarm (the seed's 0.05); the error CUSUMs are tuned to it and to 0.6 of it (that share of the events the model got right turning wrong, against the held-out error rate of each event's confidence when the baseline has it).",
    0.05,
    ['scoreEvents'],
    { min: 0.001, max: 0.5 },
  ),
  falseAlarmBudgetInEvents: number(
    'MRM_STREAM_FALSE_ALARM_EVENTS',
    "Expected events between false alarms of each detector on a stationary stream, per partition: every threshold is calibrated to it exactly, at the least favourable in-control distribution within 3 standard errors of the baseline's estimate (4 for a reference learned from the partition).",
    10_000_000,
    ['scoreEvents'],
    { min: 1000, integer: true },
  ),
  referenceEvents: number(
    'MRM_STREAM_REFERENCE_EVENTS',
    'Events of a partition from which the detectors learn a reference the baseline does not hold (entropy, the non-ACCEPT share, and the score when the baseline has none); no alarm from those detectors before.',
    10_000,
    ['scoreEvents'],
    { min: 1000, integer: true },
  ),
  shift: number(
    'MRM_STREAM_SHIFT',
    "Rise or fall of an unlabelled indicator's rate (entropy, non-ACCEPT share, the score without a baseline score profile) the CUSUMs are tuned to; the score walks are tuned to the shift of the score's distribution that moves its share above the baseline median by this much, and to 3 times that shift.",
    0.05,
    ['scoreEvents'],
    { min: 0.005, max: 0.5 },
  ),
  stateContainer: container(
    'MRM_STREAM_STATE_CONTAINER',
    'Container the detectors keep their state in, one small JSON blob per partition, written with its ETag so that two instances never both write.',
    'streamstate',
    // The drift reports read the alarm log kept beside the state.
    ['scoreEvents', 'weeklyDrift', 'dailyDrift', 'driftBackfill'],
  ),
  saveIntervalInMs: number(
    'MRM_STREAM_SAVE_INTERVAL_MS',
    "Least time between two saves of a partition's detector state, in milliseconds; a lost state costs at most this much evidence (delay), never a false alarm.",
    30_000,
    ['scoreEvents'],
    { min: 0, integer: true },
  ),
} as const;
