import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { readTrainingData } from '../../shared/baseline/trainingData.js';
import { MrmError, unwrap } from '../../shared/errors.js';
import { parseIsoTime } from '../../shared/time/parseIsoTime.js';

/** What `mrm capture` and `mrm drift --input` read from a file of rows: event bodies with their times, in time order. */
export interface InputEvents {
  bodies: string[];
  /** Enqueued time of each body (ms since the epoch), ascending. */
  timesInMs: number[];
  /** Lines kept as they are although they are not JSON objects: the drift reports them as bad bodies. */
  warnings: string[];
}

export interface InputEventsOptions {
  input: string;
  hub: 'events' | 'scored';
  format?: 'csv' | 'jsonl' | undefined;
  id?: string | undefined;
  label?: string | undefined;
  categorical?: string[] | undefined;
  coerceNumeric?: boolean | undefined;
  /** A column (CSV) or field (JSONL) holding each row's time; else `start` and `ratePerSecond`. */
  timeColumn?: string | undefined;
  startInMs: number;
  /** Events per second from `startInMs`; undefined spreads the rows evenly over `spreadInMs`. */
  ratePerSecond?: number | undefined;
  spreadInMs: number;
}

/**
 * Reads CSV (a header, one row per event) or JSONL (events of the contract, flat objects, or scored records) into
 * the bodies a producer would have sent. CSV columns are typed as `mrm baseline` types them (and refused the same
 * way); each row becomes `{ id, timestamp, features, label }`.
 */
export async function readInputEvents(options: InputEventsOptions): Promise<InputEvents> {
  const format = options.format ?? (extname(options.input).toLowerCase() === '.csv' ? 'csv' : 'jsonl');
  let text: string;
  try {
    text = await readFile(options.input, 'utf8');
  } catch (cause) {
    throw new MrmError('bad-input', 'CAPTURE.INPUT', `Cannot read ${options.input}: ${(cause as Error).message}`, {
      cause,
    });
  }
  const rows = format === 'csv' ? csvRows(text, options) : jsonlRows(text, options);
  if (rows.rows.length === 0)
    throw new MrmError('bad-input', 'CAPTURE.EMPTY_INPUT', `${options.input} holds no rows to capture`);
  if (options.timeColumn !== undefined && rows.rows.every((r) => r.time === null))
    throw new MrmError(
      'bad-input',
      'CAPTURE.UNKNOWN_COLUMN',
      `--time-column names "${options.timeColumn}", which no row of ${options.input} has`,
    );
  const times = rows.rows.map((row, i) => timeOf(row, i, rows.rows.length, options));
  // Capture writes each partition's files in time order; a stable sort keeps rows of the same instant in file order.
  const order = times.map((_, i) => i).sort((a, b) => times[a]! - times[b]! || a - b);
  return {
    bodies: order.map((i) => rows.rows[i]!.body),
    timesInMs: order.map((i) => times[i]!),
    warnings: rows.warnings,
  };
}

interface Row {
  body: string;
  line: number;
  time: string | null;
}

function csvRows(text: string, options: InputEventsOptions): { rows: Row[]; warnings: string[] } {
  if (options.hub === 'scored')
    throw new MrmError(
      'bad-input',
      'CAPTURE.SCORED_CSV',
      '--hub scored takes scored records as JSONL (what scoreEvents writes, one JSON object a line), not CSV',
    );
  const table = unwrap(
    readTrainingData(text, {
      format: 'csv',
      ...(options.id ? { id: options.id } : {}),
      ...(options.label ? { label: options.label } : {}),
      ...(options.categorical ? { categorical: options.categorical } : {}),
      ...(options.timeColumn ? { time: options.timeColumn } : {}),
      ...(options.coerceNumeric ? { coerceNumeric: true } : {}),
    }),
  );
  const warnings = [...(table.warnings ?? [])];
  for (const s of table.skipped) warnings.push(`line ${s.line} skipped: ${s.reason}`);
  const rows: Row[] = [];
  for (let i = 0; i < table.rows; i++) {
    const features: Record<string, number | string | null> = {};
    for (const column of table.columns) {
      const value = column.values[i]!;
      features[column.name] = typeof value === 'number' ? (Number.isNaN(value) ? null : value) : value;
    }
    const label = table.labels[i];
    const event = {
      id: table.ids[i] ?? `row-${i + 1}`,
      features,
      ...(label !== null && label !== undefined ? { label: numericOrText(label) } : {}),
    };
    rows.push({ body: JSON.stringify(event), line: table.lines?.[i] ?? i + 2, time: table.times?.[i] ?? null });
  }
  return { rows, warnings };
}

function jsonlRows(text: string, options: InputEventsOptions): { rows: Row[]; warnings: string[] } {
  const rows: Row[] = [];
  const notObjects: number[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = undefined;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      notObjects.push(i + 1);
      rows.push({ body: line, line: i + 1, time: null });
      continue;
    }
    const object = value as Record<string, unknown>;
    const time = options.timeColumn === undefined ? null : object[options.timeColumn];
    rows.push({
      body: options.hub === 'scored' || isEvent(object) ? line : JSON.stringify(eventOf(object, i + 1, options)),
      line: i + 1,
      time: time === undefined || time === null ? null : String(time),
    });
  }
  const warnings =
    notObjects.length === 0
      ? []
      : [
          `${notObjects.length} line${notObjects.length > 1 ? 's are' : ' is'} not a JSON object (first: line ${notObjects[0]}): captured as sent, so the drift counts ${notObjects.length > 1 ? 'them' : 'it'} as bad bodies`,
        ];
  return { rows, warnings };
}

const isEvent = (o: Record<string, unknown>): boolean =>
  typeof o.features === 'object' && o.features !== null && !Array.isArray(o.features);

/** A flat object as an event of the contract: the id, label and time fields named by the flags, the rest features. */
function eventOf(object: Record<string, unknown>, line: number, options: InputEventsOptions): Record<string, unknown> {
  const idKey = options.id ?? 'id';
  const labelKey = options.label ?? 'label';
  const features: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object))
    if (key !== idKey && key !== labelKey && key !== options.timeColumn) features[key] = value;
  const id = object[idKey];
  return {
    id: id === undefined || id === null ? `line-${line}` : String(id),
    features,
    ...(object[labelKey] !== undefined && object[labelKey] !== null ? { label: object[labelKey] } : {}),
  };
}

const numericOrText = (label: string): number | string => {
  const n = Number(label);
  return label.trim() !== '' && Number.isFinite(n) ? n : label;
};

/** A row's time: from its time column (ISO 8601, UTC when no zone is given; or epoch seconds or milliseconds), else the rate. */
function timeOf(row: Row, index: number, count: number, options: InputEventsOptions): number {
  if (options.timeColumn === undefined) {
    const stepInMs =
      options.ratePerSecond !== undefined ? 1000 / options.ratePerSecond : options.spreadInMs / Math.max(1, count);
    return options.startInMs + Math.floor(index * stepInMs);
  }
  const text = row.time?.trim() ?? '';
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    // Ten-digit numbers are seconds (until 2286), thirteen-digit ones milliseconds.
    return Math.round(n < 1e11 ? n * 1000 : n);
  }
  const parsed = parseIsoTime(text, { dateAlone: true, zoneless: true });
  if (parsed !== undefined) return parsed;
  throw new MrmError(
    'bad-input',
    'CAPTURE.BAD_TIME',
    `line ${row.line}: --time-column ${options.timeColumn} is ${text === '' ? 'empty' : `"${text}"`}; expected an ISO 8601 time (2024-01-15T10:00:00Z; no zone means UTC) or epoch seconds or milliseconds`,
    { detail: { line: row.line } },
  );
}
