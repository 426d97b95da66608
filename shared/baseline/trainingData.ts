import { parse } from 'csv-parse/sync';
import { fail, ok, type Result } from '../errors.js';

/** Training data as columns: numeric columns hold NaN for missing values, categorical ones null. */
export interface TrainingTable {
  rows: number;
  /** Lines that could not be read (bad JSON, wrong width), with their 1-based line numbers; never silently dropped. */
  skipped: Array<{ line: number; reason: string }>;
  ids: Array<string | null>;
  labels: Array<string | null>;
  columns: TrainingColumn[];
}

export type TrainingColumn =
  | { name: string; type: 'numeric'; values: Float64Array }
  | { name: string; type: 'categorical'; values: Array<string | null> };

export interface TrainingDataOptions {
  format: 'csv' | 'jsonl';
  /** Label column (CSV header or top-level JSONL field; JSONL events also carry `label`). */
  label?: string;
  /** Id column (CSV header or JSONL field); JSONL events carry `id`. */
  id?: string;
  /** Columns to treat as categorical even when they look numeric. */
  categorical?: readonly string[];
}

type RawRow = Record<string, unknown>;

/**
 * Reads training data from CSV (with a header) or JSONL (event-contract lines `{ id, features, label }`, or flat
 * objects). Column types: numeric when every present value is a finite number (or numeric text in CSV), else
 * categorical, unless named in `categorical`. Empty cells, `null`, `NA`, `NaN` are missing values.
 */
export function readTrainingData(text: string, options: TrainingDataOptions): Result<TrainingTable> {
  const read = options.format === 'csv' ? readCsv(text) : readJsonl(text, options);
  if (!read.ok) return read;
  const { rows, skipped } = read.value;
  const labelKey = options.label ?? (options.format === 'jsonl' ? EVENT_LABEL : undefined);
  const idKey = options.id ?? (options.format === 'jsonl' ? EVENT_ID : undefined);
  if (rows.length < 2)
    return fail(
      'bad-input',
      'BASELINE.TOO_FEW_ROWS',
      `Training data has ${rows.length} readable row(s); at least 2 are needed`,
    );
  const names: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      if (!seen.has(key) && key !== labelKey && key !== idKey) {
        seen.add(key);
        names.push(key);
      }
    }
  }
  for (const name of options.categorical ?? []) {
    if (!seen.has(name))
      return fail(
        'bad-input',
        'BASELINE.UNKNOWN_COLUMN',
        `--categorical names "${name}", which is not a column of the training data`,
      );
  }
  if (options.label && !rows.some((r) => r[options.label!] !== undefined)) {
    return fail(
      'bad-input',
      'BASELINE.UNKNOWN_COLUMN',
      `--label names "${options.label}", which is not a column of the training data`,
    );
  }
  if (names.length === 0) return fail('bad-input', 'BASELINE.NO_FEATURES', 'Training data has no feature columns');
  const forced = new Set(options.categorical ?? []);
  const columns: TrainingColumn[] = names.map((name) => {
    const values = rows.map((r) => normalise(r[name]));
    const numeric = !forced.has(name) && values.every((v) => v === null || typeof v === 'number');
    return numeric
      ? { name, type: 'numeric', values: Float64Array.from(values, (v) => (v === null ? NaN : (v as number))) }
      : { name, type: 'categorical', values: values.map((v) => (v === null ? null : String(v))) };
  });
  return ok({
    rows: rows.length,
    skipped,
    ids: rows.map((r) => (idKey && r[idKey] !== undefined && r[idKey] !== null ? String(r[idKey]) : null)),
    labels: rows.map((r) => {
      const v = labelKey ? normalise(r[labelKey]) : null;
      return v === null ? null : String(v);
    }),
    columns,
  });
}

// Where event-contract lines keep their id and label, out of the way of feature names.
const EVENT_ID = '\u0000id';
const EVENT_LABEL = '\u0000label';

const MISSING = new Set(['', 'null', 'NULL', 'NA', 'N/A', 'NaN', 'nan', 'None']);

function normalise(value: unknown): number | string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value !== 'string') return JSON.stringify(value);
  const text = value.trim();
  if (MISSING.has(text)) return null;
  const n = Number(text);
  return Number.isFinite(n) && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? n : text;
}

function readCsv(text: string): Result<{ rows: RawRow[]; skipped: TrainingTable['skipped'] }> {
  try {
    const skipped: TrainingTable['skipped'] = [];
    const rows = parse(text, {
      columns: true,
      skip_empty_lines: true,
      trim: true,
      bom: true,
      relax_column_count: true,
      on_record: (record: RawRow, context: { lines: number; error?: Error }) => {
        if (context.error) {
          skipped.push({ line: context.lines, reason: context.error.message });
          return null;
        }
        return record;
      },
    }) as RawRow[];
    return ok({ rows, skipped });
  } catch (error) {
    return fail('bad-input', 'BASELINE.BAD_CSV', `Training CSV could not be read: ${(error as Error).message}`);
  }
}

function readJsonl(
  text: string,
  options: TrainingDataOptions,
): Result<{ rows: RawRow[]; skipped: TrainingTable['skipped'] }> {
  const rows: RawRow[] = [];
  const skipped: TrainingTable['skipped'] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      skipped.push({ line: i + 1, reason: `not JSON: ${(error as Error).message}` });
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      skipped.push({ line: i + 1, reason: 'not a JSON object' });
      continue;
    }
    const object = value as RawRow;
    if (typeof object.features === 'object' && object.features !== null && !Array.isArray(object.features)) {
      // An event of the contract: features plus id and label.
      const row: RawRow = { ...(object.features as RawRow) };
      row[options.id ?? EVENT_ID] = object[options.id ?? 'id'] ?? object.id;
      row[options.label ?? EVENT_LABEL] = object[options.label ?? 'label'] ?? object.label;
      rows.push(row);
    } else {
      rows.push(object);
    }
  }
  return ok({ rows, skipped });
}
