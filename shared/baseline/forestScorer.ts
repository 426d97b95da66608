import { ok } from '../errors.js';
import type { CompiledForest } from './compileForest.js';
import { anomalyProbability, type ScoreCalibration } from './calibration.js';
import type { EmbeddedModel } from './profile.js';
import type { Prediction, ScoreOutcome, ScoreRequest, Scorer } from '../contracts/scorer.js';

/**
 * The default, cloud-free model: the profile's isolation forest. Prediction = anomaly or not; probabilities come
 * from the calibration fitted on the baseline (Platt scaling on labels when the training data had them).
 */
export class ForestScorer implements Scorer {
  readonly kind = 'forest' as const;
  readonly modelVersion: string;
  private readonly negative: string;
  private readonly positive: string;

  constructor(
    model: Pick<EmbeddedModel, 'version' | 'classes'>,
    private readonly forest: CompiledForest,
    private readonly calibration: ScoreCalibration,
  ) {
    this.modelVersion = model.version;
    [this.negative, this.positive] = model.classes;
  }

  predict(score: number): Prediction {
    const p = anomalyProbability(this.calibration, score);
    return {
      prediction: p >= 0.5 ? this.positive : this.negative,
      probabilities: { [this.negative]: 1 - p, [this.positive]: p },
      score,
    };
  }

  async scoreBatch(requests: readonly ScoreRequest[]): Promise<ScoreOutcome[]> {
    const outcomes: ScoreOutcome[] = new Array(requests.length);
    for (let i = 0; i < requests.length; i++) {
      const request = requests[i]!;
      outcomes[i] = ok(this.predict(request.anomalyScore ?? this.forest.score(request.vector)));
    }
    return outcomes;
  }
}
