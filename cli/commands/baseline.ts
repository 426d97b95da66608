import { readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { BASELINE_DEFAULTS, buildBaseline, type BuildBaselineOptions } from '../../shared/baseline/buildBaseline.js';
import { buildBaselineWithModel } from '../../shared/baseline/buildBaselineWithModel.js';
import { FileModelSource } from '../../shared/adapters/fileModelSource.js';
import { onnxOptionsFrom } from '../../shared/adapters/scorerFromSettings.js';
import { OnnxScorer } from '../../shared/scoring/onnxScorer.js';
import type { BaselineProfile } from '../../shared/baseline/profile.js';
import { readTrainingData } from '../../shared/baseline/trainingData.js';
import { loadSettings } from '../../shared/config/settings.js';
import { MrmError, ok, unwrap } from '../../shared/errors.js';
import type { Clock } from '../../shared/contracts/clock.js';
import { systemClock } from '../../shared/adapters/clocks.js';
import { blobServiceClientFor } from '../../shared/adapters/blobServiceClient.js';

export interface BaselineArguments {
  input: string;
  out: string;
  label?: string;
  id?: string;
  categorical?: string[];
  seed: number;
  format?: 'csv' | 'jsonl';
  upload?: boolean;
  /** Share of rows held out (default 0.2). */
  holdout?: number;
  rejectBudget?: number;
  flagBudget?: number;
  /** The user's ONNX classifier (`--model`): the held-out rows are scored with it, as production will score. */
  model?: string;
  /** Stray text in a numeric column becomes missing (with a warning) instead of an error. */
  coerceNumeric?: boolean;
}

/** The use case behind `mrm baseline`: read training data, build and write the profile; returns a summary line. */
export async function runBaseline(
  args: BaselineArguments,
  env: NodeJS.ProcessEnv = process.env,
  clock: Clock = systemClock,
): Promise<string> {
  const format = args.format ?? (extname(args.input).toLowerCase() === '.csv' ? 'csv' : 'jsonl');
  let text: string;
  try {
    text = await readFile(args.input, 'utf8');
  } catch (cause) {
    throw new MrmError(
      'bad-input',
      'BASELINE.INPUT',
      `Cannot read training data ${args.input}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  const table = unwrap(
    readTrainingData(text, {
      format,
      ...(args.label ? { label: args.label } : {}),
      ...(args.id ? { id: args.id } : {}),
      ...(args.categorical ? { categorical: args.categorical } : {}),
      ...(args.coerceNumeric ? { coerceNumeric: true } : {}),
    }),
  );
  const options: BuildBaselineOptions = {
    seed: args.seed,
    createdAt: new Date(clock.nowInMs()).toISOString(),
    source: { file: args.input, format },
    columns: { ...(args.id ? { id: args.id } : {}), ...(args.label ? { label: args.label } : {}) },
    ...(args.holdout !== undefined ? { holdout: args.holdout } : {}),
    budgets: {
      ...(args.rejectBudget !== undefined ? { reject: args.rejectBudget } : {}),
      ...(args.flagBudget !== undefined ? { flag: args.flagBudget } : {}),
    },
  };
  const modelFile = args.model;
  const profile = unwrap(
    modelFile === undefined
      ? buildBaseline(table, options)
      : await buildBaselineWithModel(table, options, async (forModel) => {
          // MRM_ONNX_* settings read the model here as scoreEvents will read it.
          const settings = loadSettings(env);
          if (!settings.ok) return settings;
          const scorer = new OnnxScorer(new FileModelSource(modelFile), forModel, onnxOptionsFrom(settings.value));
          const ready = await scorer.ready();
          return ready.ok ? ok(scorer) : ready;
        }),
  );
  const json = JSON.stringify(profile);
  await writeFile(args.out, json);
  const lines = [
    `Baseline ${profile.profileVersion}: ${table.rows} rows, ${profile.features.length} features ` +
      `(${profile.model.inputs.length} numeric, ${profile.features.length - profile.model.inputs.length} categorical), written to ${args.out}`,
  ];
  if (table.skipped.length > 0) {
    lines.push(
      `Skipped ${table.skipped.length} unreadable line(s), first: line ${table.skipped[0]!.line}: ${table.skipped[0]!.reason}`,
    );
  }
  for (const warning of table.warnings ?? []) lines.push(`Warning: ${warning}`);
  lines.push(...validationSummary(profile));
  if (profile.metrics) lines.push(metricsLine(profile, profile.metrics));
  if (args.upload) {
    const settings = unwrap(loadSettings(env));
    const container = blobServiceClientFor(settings.core.storageConnection, env).getContainerClient(
      settings.core.baselineContainer,
    );
    await container.createIfNotExists();
    await container.getBlockBlobClient(settings.core.baselineBlob).upload(json, Buffer.byteLength(json), {
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });
    lines.push(`Uploaded to ${settings.core.baselineContainer}/${settings.core.baselineBlob}`);
  }
  return lines.join('\n');
}

/** The model's out-of-sample performance, named as what it is: the user's classifier or the embedded detector. */
function metricsLine(profile: BaselineProfile, m: NonNullable<BaselineProfile['metrics']>): string {
  const by = profile.heldOut.scoredBy;
  const who =
    by.scorer === 'onnx'
      ? `Model ${by.modelVersion} (classes ${by.classes.join(', ')})`
      : 'Embedded input-anomaly detector';
  const averaged = profile.schema.labels?.positiveClass ? '' : 'macro ';
  return (
    `${who} on ${m.labelled} labelled held-out rows (those validation did not reject): accuracy ${m.accuracy.toFixed(3)}, ` +
    `${averaged}precision ${m.precision.toFixed(3)}, ${averaged}recall ${m.recall.toFixed(3)}, ${averaged}F1 ${m.f1.toFixed(3)}, ` +
    `AUC ${m.auc === null ? 'n/a' : m.auc.toFixed(3)}`
  );
}

/** What was held out, the levels validation was calibrated to, and the false-alarm rates it measured. */
function validationSummary(profile: BaselineProfile): string[] {
  const { heldOut, validation } = profile;
  const c = validation.calibration;
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  const lines = [
    `Held out ${heldOut.rows} of ${heldOut.rows + heldOut.trainRows} rows (--holdout ${heldOut.share}` +
      `${heldOut.stratifiedBy === 'label' ? ', stratified by label' : ''}); the input-anomaly detector and validation were fitted on the other ${heldOut.trainRows}`,
    `Validation calibrated on ${c.rows} rows (${c.heldOutRows} held out, ${c.crossFittedRows} cross-fitted in ${c.folds} folds): ` +
      `FLAG above ${validation.thresholds.flag.toFixed(2)}, REJECT above ${validation.thresholds.reject.toFixed(2)} nats of surprise`,
    `  budgets: REJECT ${pct(validation.budgets.reject)}, FLAG ${pct(validation.budgets.flag)}; ` +
      `held-out rows REJECTed ${pct(heldOut.rejected / heldOut.rows)} (${heldOut.rejected} of ${heldOut.rows}), ` +
      `FLAGged ${pct(heldOut.flagged / heldOut.rows)} (${heldOut.flagged} of ${heldOut.rows}); ` +
      `calibration rows ${pct(c.rejectRate)} and ${pct(c.flagRate)}`,
  ];
  for (const [level, method, budget] of [
    ['REJECT', c.rejectMethod, validation.budgets.reject],
    ['FLAG', c.flagMethod, validation.budgets.flag],
  ] as const) {
    if (method === 'extrapolated') {
      lines.push(
        `  ${c.rows} rows are too few to place the ${level} level at ${pct(budget)} by order statistic: it is extrapolated beyond the largest surprises, conservatively`,
      );
    }
  }
  return lines;
}

const integer = (value: string): number => {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a whole number');
  return n;
};

const share = (value: string): number => {
  const n = Number(value);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError('expected a share between 0 and 1, such as 0.2');
  return n;
};

export function baselineCommand(): Command {
  return new Command('baseline')
    .description('Build the baseline profile from training data (CSV with a header, or JSONL events)')
    .requiredOption(
      '--input <file>',
      'training data: .csv with a header, or .jsonl (events of the contract or flat objects)',
    )
    .requiredOption('--out <profile.json>', 'where to write the profile')
    .option('--label <column>', 'label column (enables calibration on labels and the baseline metrics)')
    .option('--id <column>', 'id column (not a feature)')
    .option('--categorical <a,b>', 'columns to treat as categorical even when they look numeric', (v: string) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .option('--coerce-numeric', 'read stray text in a numeric column as missing (with a warning) instead of failing')
    .option('--seed <n>', 'seed of the isolation forest (same data and seed give the same profile)', integer, 42)
    .option('--format <csv|jsonl>', 'input format (default: from the file extension)')
    .option(
      '--model <model.onnx>',
      'your ONNX classifier: the held-out rows are scored with it, so prediction and performance drift compare with it (needed for a label of more than two classes)',
    )
    .option(
      '--holdout <share>',
      'share of rows held out from fitting, stratified by label: validation is calibrated and the model measured on them',
      share,
      BASELINE_DEFAULTS.holdout,
    )
    .option(
      '--reject-budget <share>',
      'share of ordinary rows validation may REJECT (unscored)',
      share,
      BASELINE_DEFAULTS.budgets.reject,
    )
    .option(
      '--flag-budget <share>',
      'share of ordinary rows validation may FLAG',
      share,
      BASELINE_DEFAULTS.budgets.flag,
    )
    .option(
      '--upload',
      'also upload it where the functions read it (MRM_BASELINE_CONTAINER/MRM_BASELINE_BLOB on the storage connection)',
    )
    .action(async (options: BaselineArguments) => {
      if (options.format && options.format !== 'csv' && options.format !== 'jsonl') {
        throw new MrmError('bad-input', 'CLI.ARGUMENT', `--format must be csv or jsonl, got ${String(options.format)}`);
      }
      process.stdout.write(`${await runBaseline(options)}\n`);
    });
}
