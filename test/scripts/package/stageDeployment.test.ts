import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/bicepProgram.js';

const SCRIPT = join(REPO_ROOT, 'scripts/package/stage-deployment.mjs');
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  main: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { dev?: boolean }>;
};

let work: string;
let compiled: string;
let listed: { files: string[]; bytes: number };

function stage(...args: string[]) {
  return spawnSync(process.execPath, [SCRIPT, '--dist', compiled, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mrm-package-'));
  compiled = join(work, 'dist');
  // What azd's build step produces (npm run build), into a folder of the test's own.
  const tsc = spawnSync(
    process.execPath,
    [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--outDir', compiled],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  );
  expect(tsc.stdout + tsc.stderr).toBe('');
  const list = stage('--list');
  expect(list.stderr).toBe('');
  listed = JSON.parse(list.stdout) as typeof listed;
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the deployment package azd ships (scripts/package/stage-deployment.mjs)', () => {
  it('holds the host configuration and the compiled functions the host indexes from package.json "main"', () => {
    expect(listed.files).toEqual(expect.arrayContaining(['host.json', 'package.json']));
    expect(pkg.main).toBe('dist/functions/*.js');
    const functions = readdirSync(join(REPO_ROOT, 'functions')).filter((f) => f.endsWith('.ts'));
    expect(functions.sort()).toEqual([
      'dailyDrift.ts',
      'driftBackfill.ts',
      'profileCaptureBlob.ts',
      'retrainWebhook.ts',
      'scoreEvents.ts',
      'startDriftBackfill.ts',
      'weeklyDrift.ts',
    ]);
    for (const f of functions) expect(listed.files).toContain(`dist/functions/${f.replace(/\.ts$/, '.js')}`);
    expect(listed.files).toContain('dist/shared/config/monitoring.json');
  });

  it('holds every production dependency and none that only development needs', () => {
    for (const dependency of Object.keys(pkg.dependencies))
      expect(listed.files, dependency).toContain(`node_modules/${dependency}/package.json`);
    const devOnly = Object.keys(lock.packages)
      .filter((path) => path.startsWith('node_modules/') && lock.packages[path]!.dev)
      .map((path) => `${path}/`);
    expect(devOnly.length).toBeGreaterThan(100);
    for (const name of ['vitest', 'typescript', 'azurite', 'tree-sitter', 'playwright-core', 'eslint'])
      expect(devOnly).toContain(`node_modules/${name}/`);
    const shipped = listed.files.filter((f) => devOnly.some((prefix) => f.startsWith(prefix)));
    expect(shipped, 'files of dev-only packages').toEqual([]);
  });

  it('holds no sources, tests, tools or local settings, and only the Linux x64 ONNX Runtime', () => {
    const app = listed.files.filter((f) => !f.startsWith('node_modules/'));
    expect(app.filter((f) => !/^(host\.json|package\.json|dist\/(functions|shared)\/.+\.(js|json))$/.test(f))).toEqual(
      [],
    );
    const binaries = listed.files.filter((f) => f.startsWith('node_modules/onnxruntime-node/bin/'));
    expect(binaries.some((f) => f.includes('/linux/x64/'))).toBe(true);
    expect(binaries.filter((f) => !f.includes('/linux/x64/'))).toEqual([]);
  });

  it('is a fraction of node_modules: under 200 MiB', () => {
    expect(listed.bytes).toBeGreaterThan(20 * 2 ** 20);
    expect(listed.bytes).toBeLessThan(200 * 2 ** 20);
  });

  it('runs from the staged folder alone: the functions and every lazily loaded adapter and dependency resolve', () => {
    const out = join(work, 'staged');
    const staged = stage('--out', out);
    expect(staged.stderr).toBe('');
    expect(staged.stdout).toMatch(/^Staged \d+ files \(\d+\.\d MiB\) in /);
    const modules = [
      ...readdirSync(join(out, 'dist/functions')).map((f) => `./dist/functions/${f}`),
      ...readdirSync(join(out, 'dist/shared/adapters'))
        .filter((f) => f.endsWith('.js'))
        .map((f) => `./dist/shared/adapters/${f}`),
      ...Object.keys(pkg.dependencies),
    ];
    const child = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `for (const m of ${JSON.stringify(modules)}) await import(m).catch((e) => { console.error(m, e.message); process.exitCode = 1; });`,
      ],
      // No NODE_PATH, no repository around it: only what was staged.
      { cwd: out, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
    );
    expect(
      child.stderr.split('\n').filter((l) => l && !l.startsWith('WARNING: ')) /* @azure/functions outside the host */,
    ).toEqual([]);
    expect(child.status).toBe(0);
  });

  it('refuses to stage before a build, saying what to run', () => {
    const result = spawnSync(process.execPath, [SCRIPT, '--list', '--dist', join(work, 'nothing')], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/functions is missing: run `npm run build` first/);
  });

  it('is what azd zips: azure.yaml stages it before packaging and deploys that folder', () => {
    const yaml = readFileSync(join(REPO_ROOT, 'azure.yaml'), 'utf8');
    expect(yaml).toMatch(/^ {4}dist: \.azure-package$/m);
    expect(yaml).toMatch(/^ {6}prepackage:\n(?: {8}.*\n)*? {10}run: node scripts\/package\/stage-deployment\.mjs$/m);
    expect(readFileSync(join(REPO_ROOT, '.gitignore'), 'utf8')).toMatch(/^\.azure-package\/$/m);
  });
});
