import { fail, ok, type Result } from '../errors.js';
import { EVENT_REASONS } from './eventReasons.js';

// Only the value is matched by a pattern: a pattern for the quoted name before it took time quadratic in the body on
// text made of quotes and backslashes (minutes for a megabyte). The name is read backwards from the colon, bounded.
const NON_FINITE_VALUE = /:\s*(-?(?:NaN|Infinity))\s*[,}\]]/g;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A body's JSON object, or why it is none: EVENT.EMPTY (no body, or white space), EVENT.NOT_UTF8, EVENT.NOT_FINITE
 * (Python's json.dumps writes NaN and Infinity by default: the member is named instead of "not JSON"),
 * EVENT.NOT_JSON, EVENT.NOT_OBJECT. Bytes are decoded as UTF-8 strictly (a byte-order mark is dropped, as the
 * decoder does); a string is taken as the text; anything else is taken as already parsed. `maxNameLength` bounds how
 * far back a non-finite member's name is looked for.
 */
export function readJsonObject(body: unknown, maxNameLength: number): Result<Record<string, unknown>> {
  if (body === undefined || body === null) return fail('bad-input', EVENT_REASONS.empty, 'Body is empty');
  let value: unknown = body;
  if (body instanceof Uint8Array) {
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      return fail('bad-input', EVENT_REASONS.notUtf8, `Body of ${body.byteLength} bytes is not UTF-8 text`);
    }
    value = text;
  }
  if (typeof value === 'string') {
    const parsed = parseText(value, maxNameLength);
    if (!parsed.ok) return parsed;
    value = parsed.value;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('bad-input', EVENT_REASONS.notObject, `Body must be a JSON object, got ${describe(value)}`);
  }
  return ok(value as Record<string, unknown>);
}

function parseText(text: string, maxNameLength: number): Result<unknown> {
  try {
    return ok(JSON.parse(text));
  } catch (error) {
    // Checked only on failure: trimming every body would copy it.
    if (text.trim() === '') return fail('bad-input', EVENT_REASONS.empty, 'Body is empty');
    const nonFinite = nonFiniteMember(text, maxNameLength);
    if (nonFinite) {
      return fail(
        'bad-input',
        EVENT_REASONS.notFinite,
        `Feature "${nonFinite.name}" is ${nonFinite.token}; only finite numbers are accepted`,
        { feature: nonFinite.name },
      );
    }
    return fail('bad-input', EVENT_REASONS.notJson, `Body is not valid JSON: ${(error as Error).message}`);
  }
}

/** The first `"name": NaN` (or ±Infinity) member of a text JSON.parse refused, in time linear in the text. */
function nonFiniteMember(text: string, maxNameLength: number): { name: string; token: string } | undefined {
  for (const match of text.matchAll(NON_FINITE_VALUE)) {
    let close = match.index - 1;
    while (close >= 0 && /\s/.test(text[close]!)) close--;
    if (text[close] !== '"') continue;
    // The opening quote: the nearest one before that no backslash escapes, within a name's length (escaped, 2x).
    const stop = Math.max(-1, close - 2 * maxNameLength - 2);
    for (let open = close - 1; open > stop; open--) {
      if (text[open] !== '"') continue;
      let backslashes = 0;
      while (open - 1 - backslashes > stop && text[open - 1 - backslashes] === '\\') backslashes++;
      if (backslashes % 2 === 0) return { name: text.slice(open + 1, close), token: match[1]! };
    }
  }
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
