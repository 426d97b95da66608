import { readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { buildBaseline } from '../../shared/baseline/buildBaseline.js';
import { readTrainingData } from '../../shared/baseline/trainingData.js';
import { loadSettings } from '../../shared/config/settings.js';
import { MrmError, unwrap } from '../../shared/errors.js';
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
  /** An ONNX model file (`--model`), recorded for the baseline to score its held-out rows with. */
  model?: string;
}

/** The use case behind `mrm baseline`: read training data, build and write the profile; returns a summary line. */
export async function runBaseline(
  args: BaselineArguments,
  env: NodeJS.ProcessEnv = process.env,
  now = () => new Date(),
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
    }),
  );
  const profile = unwrap(
    buildBaseline(table, {
      seed: args.seed,
      createdAt: now().toISOString(),
      source: { file: args.input, format },
      columns: { ...(args.id ? { id: args.id } : {}), ...(args.label ? { label: args.label } : {}) },
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
  if (profile.metrics) {
    const m = profile.metrics;
    lines.push(
      `Embedded model on ${m.labelled} labelled rows: accuracy ${m.accuracy.toFixed(3)}, precision ${m.precision.toFixed(3)}, recall ${m.recall.toFixed(3)}, F1 ${m.f1.toFixed(3)}, AUC ${m.auc === null ? 'n/a' : m.auc.toFixed(3)}`,
    );
  }
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

const integer = (value: string): number => {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a whole number');
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
    .option('--seed <n>', 'seed of the isolation forest (same data and seed give the same profile)', integer, 42)
    .option('--format <csv|jsonl>', 'input format (default: from the file extension)')
    .option('--model <model.onnx>', 'the ONNX model the baseline is for (recorded in the options)')
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
