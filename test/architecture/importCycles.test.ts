import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cyclesOf, folderGraph, importGraph } from './importGraph.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const graph = importGraph(repo, ['shared', 'functions', 'cli', 'bench', 'dev']);

/** A folder is a top-level folder of the core (shared/drift, with drift/run and drift/stats in it), or functions, cli, bench, dev. */
const folderOf = (file: string): string => {
  const parts = file.split('/');
  return parts[0] === 'shared' && parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0]!;
};

describe('the import graph', () => {
  it('reads the sources it checks (a walk that found nothing would pass)', () => {
    expect(graph.get('functions/scoreEvents.ts')).toContain('shared/compose/scoreEvents.ts');
    expect(graph.size).toBeGreaterThan(150);
  });

  it('keeps the demo, synthetic data and the Azurite launcher out of the core: shared/ and functions/ import no cli/ or dev/ file', () => {
    const leaks = [...graph]
      .filter(([file]) => file.startsWith('shared/') || file.startsWith('functions/'))
      .flatMap(([file, targets]) => targets.filter((t) => /^(cli|dev)\//.test(t)).map((t) => `${file} -> ${t}`));
    expect(leaks).toEqual([]);
  });

  it('has no cycle between files', () => {
    expect(cyclesOf(graph)).toEqual([]);
  });

  it('has no cycle between folders: a reader can start at the bottom and never meet a folder twice', () => {
    expect(cyclesOf(folderGraph(graph, folderOf))).toEqual([]);
  });
});

describe('cyclesOf', () => {
  it('finds a cycle of files and a file importing itself, and nothing in a tree', () => {
    const cyclic = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['d.ts']],
      ['e.ts', ['a.ts']],
    ]);
    expect(cyclesOf(cyclic)).toEqual([['a.ts', 'b.ts', 'c.ts'], ['d.ts']]);
    expect(
      cyclesOf(
        new Map([
          ['a.ts', ['b.ts', 'c.ts']],
          ['b.ts', ['c.ts']],
          ['c.ts', []],
        ]),
      ),
    ).toEqual([]);
  });

  it('finds a cycle between folders whose files form none', () => {
    const files = new Map([
      ['x/a.ts', ['y/b.ts']],
      ['y/b.ts', []],
      ['y/c.ts', ['x/d.ts']],
      ['x/d.ts', []],
    ]);
    expect(cyclesOf(files)).toEqual([]);
    expect(cyclesOf(folderGraph(files, (f) => f.split('/')[0]!))).toEqual([['x', 'y']]);
  });
});
