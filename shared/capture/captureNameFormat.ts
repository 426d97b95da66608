import { fail, ok, type Result } from '../errors.js';

export const CAPTURE_TOKENS = [
  'Namespace',
  'EventHub',
  'PartitionId',
  'Year',
  'Month',
  'Day',
  'Hour',
  'Minute',
  'Second',
] as const;
export type CaptureToken = (typeof CAPTURE_TOKENS)[number];
export type CaptureTokenValues = Partial<Record<CaptureToken, string>>;

type Part = { literal: string } | { token: CaptureToken };

/** A parsed Capture archive name format (`archiveNameFormat` of the hub). */
export interface CaptureNameFormat {
  readonly text: string;
  readonly parts: ReadonlyArray<Part>;
  readonly pattern: RegExp;
}

/** What a Capture blob name says about its file. */
export interface CaptureBlobName {
  namespace: string;
  eventHub: string;
  partitionId: string;
  /** Start of the Capture window the file belongs to (UTC), from the name's date and time tokens. */
  windowStartInMs: number;
}

const TOKEN = /\{([A-Za-z]+)\}/g;
const VALUE_PATTERN: Record<CaptureToken, string> = {
  Namespace: '[^/]+',
  EventHub: '[^/]+',
  PartitionId: '[^/]+',
  Year: '\\d{4}',
  Month: '\\d{2}',
  Day: '\\d{2}',
  Hour: '\\d{2}',
  Minute: '\\d{2}',
  Second: '\\d{2}',
};

/**
 * Parses an archive name format. Azure requires every token exactly once (the order and the literals between them
 * may change); a format that breaks that rule fails with CAPTURE.BAD_NAME_FORMAT naming the token.
 */
export function parseCaptureNameFormat(text: string): Result<CaptureNameFormat> {
  const parts: Part[] = [];
  const seen = new Set<string>();
  let last = 0;
  for (const match of text.matchAll(TOKEN)) {
    const name = match[1]!;
    if (!(CAPTURE_TOKENS as readonly string[]).includes(name)) {
      return fail(
        'configuration',
        'CAPTURE.BAD_NAME_FORMAT',
        `Unknown token {${name}} in the Capture name format "${text}"`,
        {
          token: name,
        },
      );
    }
    if (seen.has(name))
      return fail('configuration', 'CAPTURE.BAD_NAME_FORMAT', `Token {${name}} appears twice in "${text}"`, {
        token: name,
      });
    seen.add(name);
    if (match.index > last) parts.push({ literal: text.slice(last, match.index) });
    parts.push({ token: name as CaptureToken });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ literal: text.slice(last) });
  const missing = CAPTURE_TOKENS.filter((t) => !seen.has(t));
  if (missing.length > 0) {
    return fail(
      'configuration',
      'CAPTURE.BAD_NAME_FORMAT',
      `The Capture name format "${text}" lacks ${missing.map((t) => `{${t}}`).join(', ')} (Azure requires every token)`,
      {
        missing,
      },
    );
  }
  const source = parts
    .map((p) => ('token' in p ? `(?<${p.token}>${VALUE_PATTERN[p.token]})` : escapeRegExp(p.literal)))
    .join('');
  return ok({ text, parts, pattern: new RegExp(`^${source}(?:\\.avro)?$`) });
}

/** Reads a blob name written with `format`; `undefined` when it does not follow the format or its date is invalid. */
export function parseCaptureBlobName(format: CaptureNameFormat, name: string): CaptureBlobName | undefined {
  const groups = format.pattern.exec(name)?.groups;
  if (!groups) return undefined;
  const [year, month, day, hour, minute, second] = (['Year', 'Month', 'Day', 'Hour', 'Minute', 'Second'] as const).map(
    (t) => Number(groups[t]),
  );
  const time = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!);
  const check = new Date(time);
  if (check.getUTCMonth() !== month! - 1 || check.getUTCDate() !== day! || hour! > 23 || minute! > 59 || second! > 59)
    return undefined;
  return {
    namespace: groups.Namespace!,
    eventHub: groups.EventHub!,
    partitionId: groups.PartitionId!,
    windowStartInMs: time,
  };
}

/** Year, Month and Day tokens of a UTC day, zero padded as Capture writes them. */
export function dayTokens(dayStartInMs: number): Required<Pick<CaptureTokenValues, 'Year' | 'Month' | 'Day'>> {
  const date = new Date(dayStartInMs);
  return {
    Year: String(date.getUTCFullYear()).padStart(4, '0'),
    Month: String(date.getUTCMonth() + 1).padStart(2, '0'),
    Day: String(date.getUTCDate()).padStart(2, '0'),
  };
}

export interface RenderedPrefix {
  /** The name's fixed beginning given the known token values. */
  prefix: string;
  /** The first token whose value is unknown (null when every token is known). */
  next: CaptureToken | null;
  /** True when `next` fills a whole path segment, so a delimiter listing at `prefix` enumerates its values. */
  nextIsWholeSegment: boolean;
}

/** The longest name prefix that `values` determine: listing by it reads only blobs that can match. */
export function renderPrefix(format: CaptureNameFormat, values: CaptureTokenValues): RenderedPrefix {
  let prefix = '';
  const parts = format.parts;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if ('literal' in part) {
      prefix += part.literal;
      continue;
    }
    const value = values[part.token];
    if (value === undefined) {
      const before = i === 0 ? '/' : literalOf(parts[i - 1]);
      const after = i === parts.length - 1 ? '' : literalOf(parts[i + 1]);
      return { prefix, next: part.token, nextIsWholeSegment: before.endsWith('/') && after.startsWith('/') };
    }
    prefix += value;
  }
  return { prefix, next: null, nextIsWholeSegment: false };
}

function literalOf(part: Part | undefined): string {
  return part && 'literal' in part ? part.literal : '';
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
