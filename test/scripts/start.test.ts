import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('npm start', () => {
  it('explains in one paragraph what to install when Core Tools are missing, and stops', () => {
    // A PATH with node and nothing else: no `func` anywhere.
    const run = spawnSync(process.execPath, ['scripts/start.mjs'], {
      encoding: 'utf8',
      env: { PATH: dirname(process.execPath) },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'npm start needs Azure Functions Core Tools 4 (the `func` command), which is not installed.',
    );
    expect(run.stderr).toContain('npm run demo');
    // The emulator refuses to start without its licence accepted: the command given must work as typed.
    expect(run.stderr).toContain('`ACCEPT_EULA=Y docker compose up -d`');
  });
});
