import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError, type Command } from 'commander';
import { mrmProgram } from '../../cli/program.js';

const DOC = 'docs/your-data.md';
// Set-up the suite has done already (dependencies installed; the commands run from source here).
const SET_UP = new Set(['npm ci', 'npm run build']);

/** The command lines of the doc's ```sh blocks, in order (```text blocks are shown, not run). */
function shellCommands(markdown: string): string[] {
  const commands: string[] = [];
  for (const block of markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm))
    for (const line of block[1]!.split('\n')) if (line.trim() !== '') commands.push(line.trim());
  return commands;
}

/** Splits a command line as a POSIX shell would for the words the doc uses (plain words, '…' and "…"). */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

describe(`${DOC}: every command runs as written`, () => {
  let root: string;
  let commands: string[];
  const outputs: string[] = [];
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'mrm-your-data-'));
    commands = shellCommands(await readFile(DOC, 'utf8'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  // The doc's own folder, my-data/, is put in a temporary folder; everything else is read from the repository.
  const local = (word: string): string => (word.startsWith('my-data') ? join(root, word) : word);

  async function mrm(argv: string[]): Promise<string> {
    let stdout = '';
    const write = process.stdout.write.bind(process.stdout);
    const program = mrmProgram();
    const strict = (c: Command): void => {
      c.exitOverride();
      c.commands.forEach(strict);
    };
    strict(program);
    process.stdout.write = ((chunk: string | Uint8Array) => {
      stdout += String(chunk);
      return true;
    }) as typeof process.stdout.write;
    try {
      process.exitCode = 0;
      await program.parseAsync(['node', 'mrm', ...argv]);
    } catch (error) {
      if (error instanceof CommanderError) throw new Error(`mrm ${argv.join(' ')}: ${error.message}`);
      throw error;
    } finally {
      process.stdout.write = write;
    }
    const code = process.exitCode;
    process.exitCode = 0;
    expect(code, `mrm ${argv.join(' ')} exit code`).toBe(0);
    return stdout;
  }

  it('has the walkthrough’s steps', () => {
    const run = commands.filter((c) => !SET_UP.has(c));
    expect(
      run.map((c) =>
        words(c.replace(/^([A-Z_]+=\S+ )+/, ''))
          .slice(0, 4)
          .join(' '),
      ),
    ).toEqual([
      'mkdir -p my-data',
      'npm run mrm --',
      'npm run mrm --',
      'npm run mrm --',
      'npm run mrm --',
      'npm run mrm --',
      'npm run mrm --',
      'npm run mrm --',
      'npm run mrm --',
      'npm run mrm --',
    ]);
  });

  it('runs them in order, each exiting 0, and they write the reports they promise', { timeout: 180_000 }, async () => {
    for (const line of commands) {
      if (SET_UP.has(line)) continue;
      const all = words(line);
      // `NAME=value command …`: the settings the command runs with.
      const assignments = all.filter((_, i) => all.slice(0, i + 1).every((x) => /^[A-Z_]+=/.test(x)));
      const argv = all.slice(assignments.length);
      if (argv[0] === 'mkdir' && argv[1] === '-p') {
        for (const dir of argv.slice(2)) await mkdir(local(dir), { recursive: true });
        continue;
      }
      expect(argv.slice(0, 4), `a command of ${DOC} this test cannot run: ${line}`).toEqual([
        'npm',
        'run',
        'mrm',
        '--',
      ]);
      const args = argv.slice(4).map(local);
      const saved = { ...process.env };
      for (const a of assignments) process.env[a.slice(0, a.indexOf('='))] = a.slice(a.indexOf('=') + 1);
      try {
        outputs.push(await mrm(args));
      } finally {
        for (const a of assignments) {
          const name = a.slice(0, a.indexOf('='));
          if (saved[name] === undefined) delete process.env[name];
          else process.env[name] = saved[name];
        }
      }
      for (let i = 0; i < args.length; i++)
        if (['--out', '--html'].includes(args[i]!) && argv[i + 4 + 1]!.startsWith('my-data'))
          await expect(stat(args[i + 1]!), `${line} wrote ${args[i + 1]}`).resolves.toBeDefined();
    }
    const quick = JSON.parse(await readFile(join(root, 'my-data/quick.json'), 'utf8'));
    const weekly = JSON.parse(await readFile(join(root, 'my-data/report.json'), 'utf8'));
    // The quick look and the Capture route read the same rows, so they reach the same verdict.
    expect(quick.eventsProfiled).toBe(500);
    expect(weekly.eventsProfiled).toBe(500);
    expect(weekly.drift).toEqual(quick.drift);
    expect(weekly.drift.drifted).toBe(true);
    const withModel = JSON.parse(await readFile(join(root, 'my-data/model-report.json'), 'utf8'));
    expect(withModel.model).toEqual({ scorer: 'onnx', kind: 'classifier' });
    expect(withModel.prediction.classes).not.toBe(null);
    // Every event but the ones validation rejected before scoring carries a prediction and a label.
    expect(withModel.performance.labelled).toBeGreaterThan(140);
    expect(withModel.recommendations.join(' ')).not.toContain('two different models');
    expect(await readFile(join(root, 'my-data/report.html'), 'utf8')).toContain('<section id="features">');
    expect(outputs.join('')).toContain('Captured 500 events of hub events');
  });
});
