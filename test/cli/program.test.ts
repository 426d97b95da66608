import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError, type Command } from 'commander';
import { mrmProgram } from '../../cli/program.js';
import { runBaseline } from '../../cli/commands/baseline.js';
import { TransactionGenerator } from '../../dev/synthetic/transactions.js';

/** Runs `mrm …` in process up to the action; answers what commander wrote to stderr and the error it raised. */
async function parse(...argv: string[]): Promise<{ stderr: string; error: CommanderError | undefined }> {
  let stderr = '';
  const program = mrmProgram();
  const quiet = (c: Command): void => {
    c.exitOverride().configureOutput({ writeErr: (s) => void (stderr += s), writeOut: () => undefined });
    c.commands.forEach(quiet);
  };
  quiet(program);
  try {
    await program.parseAsync(['node', 'mrm', ...argv]);
    return { stderr, error: undefined };
  } catch (error) {
    if (error instanceof CommanderError) return { stderr, error };
    throw error;
  }
}

describe('mrm options', () => {
  it('a mistyped option is reported as unknown, with a suggestion, not as a missing required one', async () => {
    const { stderr, error } = await parse('baseline', '--inptu', 'train.csv', '--out', 'profile.json');
    expect(error?.code).toBe('commander.unknownOption');
    expect(stderr).toContain("error: unknown option '--inptu'");
    expect(stderr).toContain('(Did you mean --input?)');
    expect(stderr).not.toContain('required option');
  });

  it('every command refuses unknown options', async () => {
    for (const command of ['baseline', 'capture', 'score', 'drift', 'alert', 'send', 'demo']) {
      const { error, stderr } = await parse(command, '--no-such-flag');
      expect(error?.code, command).toBe('commander.unknownOption');
      expect(stderr).toContain("unknown option '--no-such-flag'");
    }
  });

  it('a required option still is required', async () => {
    const { stderr, error } = await parse('capture', '--input', 'rows.csv');
    expect(error?.code).toBe('commander.missingMandatoryOptionValue');
    expect(stderr).toContain("error: required option '--out <dir|container URL>' not specified");
  });

  it('mrm capture refuses a rate or a Capture window it cannot honour, naming the option', async () => {
    const base = ['capture', '--input', 'rows.csv', '--out', 'capture'];
    const rate = await parse(...base, '--rate', 'fast');
    expect(rate.stderr).toContain(
      "option '--rate <n/s>' argument 'fast' is invalid. expected events per second, such as 50 or 50/s",
    );
    const window = await parse(...base, '--interval-seconds', '30');
    expect(window.stderr).toContain('Capture windows are 60 to 900 seconds');
    const hub = await parse(...base, '--hub', 'inputs');
    expect(hub.stderr).toContain("argument 'inputs' is invalid. Allowed choices are events, scored.");
  });

  it('a mistyped command gets a suggestion', async () => {
    const { stderr } = await parse('captrue');
    expect(stderr).toContain("unknown command 'captrue'");
    expect(stderr).toContain('(Did you mean capture?)');
  });
});

describe('mrm baseline column flags', () => {
  it('--id, --label and --categorical are checked against the data; stray text in a numeric column names its line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mrm-columns-'));
    try {
      const csv = join(dir, 'train.csv');
      await writeFile(csv, new TransactionGenerator(1).csv(300));
      const run = (extra: Record<string, unknown>) =>
        runBaseline({ input: csv, out: join(dir, 'p.json'), seed: 1, ...extra }, {});
      await expect(run({ id: 'nosuch' })).rejects.toThrow('--id names "nosuch", which is not a column of the data');
      await expect(run({ label: 'nosuch' })).rejects.toThrow('--label names "nosuch"');
      await expect(run({ categorical: ['nosuch'] })).rejects.toThrow('--categorical names "nosuch"');
      const rows = (await readFile(csv, 'utf8')).split('\n');
      rows[7] = rows[7]!.replace(/^(t6,)[^,]+/, '$1abc');
      await writeFile(csv, rows.join('\n'));
      await expect(run({ id: 'id', label: 'label' })).rejects.toThrow(
        'Column "amount" is numeric but line 8 has "abc": fix the data, pass --coerce-numeric to read such values as missing, or --categorical amount if it is a category',
      );
      const summary = await run({ id: 'id', label: 'label', coerceNumeric: true });
      expect(summary).toContain('Warning: Column "amount": 1 text value read as missing (first: line 8 has "abc")');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('npm run mrm', () => {
  it('before a build, says so in one line instead of a stack trace', async () => {
    const root = await mkdtemp(join(tmpdir(), 'mrm-unbuilt-'));
    try {
      await mkdir(join(root, 'scripts'));
      await copyFile('scripts/mrm.mjs', join(root, 'scripts', 'mrm.mjs'));
      const run = spawnSync(process.execPath, [join(root, 'scripts', 'mrm.mjs'), 'drift', '--help'], {
        encoding: 'utf8',
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toBe(
        'mrm: the CLI is not built yet: run `npm run build` once, then `npm run mrm -- <command>`\n',
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
