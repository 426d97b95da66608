import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EVENT_REASON_MEANINGS, EVENT_REASONS } from '../../shared/contracts/eventReasons.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const howItWorks = readFileSync(join(repo, 'docs', 'how-it-works.md'), 'utf8');

describe('docs/how-it-works.md', () => {
  it('lists every reason of the event contract, with what it means, as the code and the drift report say it', () => {
    // Table rows as prettier lays them out: cells padded to the column's width.
    const rows = [...howItWorks.matchAll(/^ {3}\| `(EVENT\.[A-Z_0-9]+)` +\| (.+?) +\|$/gm)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual(Object.values(EVENT_REASONS).map((code) => [code, EVENT_REASON_MEANINGS[code]]));
  });
});
