import { ok, type Result } from '../errors.js';

/**
 * Which alert rules a deployment owns, by name (MRM_RETRAIN_RULE_PATTERN): comma-separated patterns of literal text
 * with `*` for any run of characters, anchored by a leading `^` and a trailing `$`; unanchored, a pattern matches
 * anywhere in the name. Case-insensitive. Matching is a left-to-right search for the literal pieces, linear in the
 * name for each piece: a regular expression run by a backtracking engine could block the event loop for as long as
 * its author (or an attacker naming rules) liked.
 */
export type RuleMatcher = (ruleName: string) => boolean;

interface Pattern {
  start: boolean;
  end: boolean;
  /** The literal pieces between the wildcards, lowercased. */
  pieces: string[];
}

// What a regular expression would need and this language has no use for: refused, so that none is read as text.
const REGEX_ONLY = /[()[\]{}|+?\\]|\.\*|\.\+|.\^|\$./;

export function compileRulePattern(text: string): Result<RuleMatcher, string> {
  const patterns: Pattern[] = [];
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    if (REGEX_ONLY.test(entry) || entry === '^' || entry === '$' || entry === '^$')
      return { ok: false, error: notAPattern(text) };
    const start = entry.startsWith('^');
    const end = entry.endsWith('$');
    const body = entry.slice(start ? 1 : 0, end ? -1 : undefined).toLowerCase();
    patterns.push({ start, end, pieces: body.split('*') });
  }
  if (patterns.length === 0) return { ok: false, error: notAPattern(text) };
  return ok((name: string) => {
    const lower = name.toLowerCase();
    return patterns.some((pattern) => matches(pattern, lower));
  });
}

function notAPattern(text: string): string {
  return `"${text}" is not a rule-name pattern: patterns are text with * for any characters, ^ and $ to anchor, separated by commas (regular expressions are not accepted)`;
}

function matches({ start, end, pieces }: Pattern, name: string): boolean {
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  if (pieces.length === 1) {
    if (start && end) return name === first;
    if (start) return name.startsWith(first);
    if (end) return name.endsWith(first);
    return name.includes(first);
  }
  let at = 0;
  if (start) {
    if (!name.startsWith(first)) return false;
    at = first.length;
  } else {
    const found = name.indexOf(first);
    if (found < 0) return false;
    at = found + first.length;
  }
  // Leftmost matches of the middle pieces leave the most room for the rest: no choice is ever undone.
  for (let i = 1; i < pieces.length - 1; i++) {
    const found = name.indexOf(pieces[i]!, at);
    if (found < 0) return false;
    at = found + pieces[i]!.length;
  }
  if (end) return name.length - last.length >= at && name.endsWith(last);
  return name.indexOf(last, at) >= 0;
}
