import { parse } from 'csv-parse/sync';
import { fail, ok, type Result } from '../errors.js';
import { isReservedFeatureName, RESERVED_FEATURE_NAME_REASON } from '../contracts/featureName.js';

/** Training data as columns: numeric columns hold NaN for missing values, categorical ones null. */
export interface TrainingTable {
  rows: number;
  /** Lines that could not be read (bad JSON, wrong width), with their 1-based line numbers; never silently dropped. */
  skipped: Array<{ line: number; reason: string }>;
  ids: Array<string | null>;
  labels: Array<string | null>;
  columns: TrainingColumn[];
  /** With `time`: each row's value of that column (its text), else absent. */
  times?: Array<string | null>;
  /** The 1-based line each row ends on in the file, for messages about a row. */
  lines?: number[];
  /** What was read leniently (`coerceNumeric`), one line each, for the caller to show. */
  warnings?: string[];
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
  /** A column of event times: not a feature, its values are returned in `times`. */
  time?: string;
  /**
   * A mostly numeric column with a few text values is an error naming the first such row (one "abc" must not turn a
   * number into a category silently); with this, those values become missing and a warning says so.
   */
  coerceNumeric?: boolean;
}

/** A column is taken for numeric with stray text when at least this share of its present values are numbers. */
const NUMERIC_SHARE_FOR_STRAY_TEXT = 0.9;

type RawRow = Record<string, unknown>;

/**
 * Reads training data from CSV (with a header) or JSONL (event-contract lines `{ id, features, label }`, or flat
 * objects). Column types: numeric when every present value is a finite number (or numeric text in CSV), else
 * categorical, unless named in `categorical`. Empty cells, `null`, `NA`, `NaN` are missing values.
 */
export function readTrainingData(text: string, options: TrainingDataOptions): Result<TrainingTable> {
  const read = options.format === 'csv' ? readCsv(text) : readJsonl(text, options);
  if (!read.ok) return read;
  const { rows, skipped, lines } = read.value;
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
      if (!seen.has(key) && key !== labelKey && key !== idKey && key !== options.time) {
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
  for (const [flag, column] of [
    ['--id', options.id],
    ['--time-column', options.time],
  ] as const) {
    if (column !== undefined && !rows.some((r) => r[column] !== undefined)) {
      return fail(
        'bad-input',
        'BASELINE.UNKNOWN_COLUMN',
        `${flag} names "${column}", which is not a column of the data (columns: ${[...seen].join(', ')})`,
      );
    }
  }
  const reserved = read.value.reservedColumn ?? names.find(isReservedFeatureName);
  if (reserved !== undefined)
    return fail(
      'bad-input',
      'BASELINE.RESERVED_NAME',
      `Column "${reserved}" cannot be a feature: the name is reserved (${RESERVED_FEATURE_NAME_REASON}); rename the column`,
      { column: reserved },
    );
  if (names.length === 0) return fail('bad-input', 'BASELINE.NO_FEATURES', 'Training data has no feature columns');
  const forced = new Set(options.categorical ?? []);
  const warnings: string[] = [];
  const columns: TrainingColumn[] = [];
  for (const name of names) {
    const values = rows.map((r) => normalise(r[name]));
    let numbers = 0;
    let texts = 0;
    for (const v of values) {
      if (typeof v === 'number') numbers++;
      else if (v !== null) texts++;
    }
    if (!forced.has(name) && texts > 0 && numbers >= NUMERIC_SHARE_FOR_STRAY_TEXT * (numbers + texts)) {
      const first = values.findIndex((v) => typeof v === 'string');
      const where = `line ${lines[first]!} has "${String(values[first])}"`;
      if (!options.coerceNumeric) {
        return fail(
          'bad-input',
          'BASELINE.STRAY_TEXT',
          `Column "${name}" is numeric but ${where}${texts > 1 ? ` (and ${texts - 1} more text value${texts > 2 ? 's' : ''})` : ''}: ` +
            `fix the data, pass --coerce-numeric to read such values as missing, or --categorical ${name} if it is a category`,
          { column: name, line: lines[first]! },
        );
      }
      warnings.push(`Column "${name}": ${texts} text value${texts > 1 ? 's' : ''} read as missing (first: ${where})`);
      for (let i = 0; i < values.length; i++) if (typeof values[i] === 'string') values[i] = null;
    }
    const numeric = !forced.has(name) && values.every((v) => v === null || typeof v === 'number');
    columns.push(
      numeric
        ? { name, type: 'numeric', values: Float64Array.from(values, (v) => (v === null ? NaN : (v as number))) }
        : { name, type: 'categorical', values: values.map((v) => (v === null ? null : String(v))) },
    );
  }
  return ok({
    rows: rows.length,
    skipped,
    ids: rows.map((r) => (idKey && r[idKey] !== undefined && r[idKey] !== null ? String(r[idKey]) : null)),
    labels: rows.map((r) => {
      const v = labelKey ? normalise(r[labelKey]) : null;
      return v === null ? null : String(v);
    }),
    columns,
    ...(options.time !== undefined
      ? {
          times: rows.map((r) => {
            const v = r[options.time!];
            return v === undefined || v === null || v === '' ? null : String(v);
          }),
        }
      : {}),
    lines,
    warnings,
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

interface RawRows {
  rows: RawRow[];
  skipped: TrainingTable['skipped'];
  /** The 1-based line each row ends on, for messages. */
  lines: number[];
  /** A CSV header that cannot be a property name (csv-parse drops such a column without a word). */
  reservedColumn?: string;
}

function readCsv(text: string): Result<RawRows> {
  try {
    const skipped: TrainingTable['skipped'] = [];
    const lines: number[] = [];
    let reservedColumn: string | undefined;
    const rows = parse(text, {
      columns: (header: string[]) => {
        reservedColumn = header.find((name) => isReservedFeatureName(name.trim()));
        return header;
      },
      skip_empty_lines: true,
      trim: true,
      bom: true,
      relax_column_count: true,
      on_record: (record: RawRow, context: { lines: number; error?: Error }) => {
        if (context.error) {
          skipped.push({ line: context.lines, reason: context.error.message });
          return null;
        }
        lines.push(context.lines);
        return record;
      },
    }) as RawRow[];
    return ok({
      rows,
      skipped,
      lines,
      ...(reservedColumn !== undefined ? { reservedColumn: reservedColumn.trim() } : {}),
    });
  } catch (error) {
    return fail('bad-input', 'BASELINE.BAD_CSV', `Training CSV could not be read: ${(error as Error).message}`);
  }
}

function readJsonl(text: string, options: TrainingDataOptions): Result<RawRows> {
  const rows: RawRow[] = [];
  const lineNumbers: number[] = [];
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
    lineNumbers.push(i + 1);
  }
  return ok({ rows, skipped, lines: lineNumbers });
}
