import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// What a newcomer types: `npm run demo -- --events 20000` (build, then the built CLI), and Ctrl-C on a long run.
const root = join(import.meta.dirname, '..', '..');
const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, FORCE_COLOR: '0' };

function run(command: string, args: string[], onOutput?: (text: string, child: ReturnType<typeof spawn>) => void) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        onOutput?.(stdout, child);
      });
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    },
  );
}

const portAccepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

describe('npm run demo -- --events 20000', () => {
  let folder: string;
  let result: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'mrm-demo-e2e-'));
    result = await run('npm', [
      'run',
      '--silent',
      'demo',
      '--',
      '--events',
      '20000',
      '--out',
      folder,
      '--date',
      '2026-03-04T10:00:00Z',
    ]);
  }, 300_000);
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('exits 0 with the summary: events in and what became of them, drifted features with their effect and significance, the decision, the report', async () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/^Model Risk Monitor demo: week 2026-W09 \(2026-02-23 to 2026-03-02\), 4 partitions$/m);
    expect(out).toMatch(/^Events in\s+20,000$/m);
    const count = (label: string) =>
      Number(new RegExp(`^  ${label}\\s+([\\d,]+)`, 'm').exec(out)![1]!.replace(/,/g, ''));
    const review = /^ {2}manual review/m.test(out) ? count('manual review') : 0;
    expect(count('accepted') + count('flagged') + review + count('rejected') + count('dead-lettered')).toBe(20_000);
    expect(out).toMatch(/^Extraction\s+caller partner-api-7f3a: 150 queries, \d+ flagged as probing/m);
    expect(out).toMatch(
      /^Drift\s+\d of 9 features drifted, drifted share 0\.\d\d \(dataset drift: yes; 20,000 events from [\d,]+ Capture files, [\d,]+ bad bodies\)$/m,
    );
    expect(out).toMatch(/^ {2}tx_count_24h\s+wasserstein \d\.\d{3}\s+ks p \S+\s+(MEDIUM|HIGH)$/m);
    expect(out).toMatch(/^Retraining\s+alert fired .* retrainWebhook answered 202: retraining_triggered/m);
    const reportPath = /^Report\s+(\S+)$/m.exec(out)![1]!;
    expect(reportPath).toBe(join(folder, 'report.html'));
    expect(await readFile(reportPath, 'utf8')).toContain('<section id="features">');
  });

  it('counts in the weekly report exactly the bodies scoreEvents dead-lettered, under the same reasons', async () => {
    const line = /^ {2}dead-lettered\s+([\d,]+)\s+\S+%(?:\s+\((.*)\))?$/m.exec(result.stdout)!;
    const deadLetters = Object.fromEntries(
      (line[2] ?? '').split(', ').flatMap((part) => {
        const [reason, count] = part.split(' ');
        return reason ? [[reason, Number(count!.replace(/,/g, ''))]] : [];
      }),
    );
    const report = JSON.parse(await readFile(join(folder, 'report.json'), 'utf8')) as {
      badBodies: Record<string, number>;
    };
    // The demo's producers send every kind of bad body; their share of 20,000 events is a few dozen.
    expect(Number(line[1]!.replace(/,/g, ''))).toBeGreaterThan(10);
    expect(report.badBodies).toEqual(deadLetters);
    expect(result.stdout).toContain(`Capture files, ${line[1]} bad bodies)`);
  });
});

describe('mrm demo interrupted with Ctrl-C', () => {
  it('stops Azurite and exits with 130', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'mrm-demo-int-'));
    let port = 0;
    let sent = false;
    const result = await run(
      process.execPath,
      ['dist/cli/mrm.js', 'demo', '--events', '200000', '--out', folder],
      (stdout, child) => {
        const match = /127\.0\.0\.1:(\d+)/.exec(stdout);
        if (match) port = Number(match[1]);
        // Interrupt while events are being scored, with Azurite busy.
        if (!sent && /Scoring a week of events: /.test(stdout)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    );
    await rm(folder, { recursive: true, force: true });
    expect(sent).toBe(true);
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('Interrupted: stopping Azurite...');
    expect(port).toBeGreaterThan(0);
    expect(await portAccepts(port)).toBe(false);
  }, 120_000);
});
