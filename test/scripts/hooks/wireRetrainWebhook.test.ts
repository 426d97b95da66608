import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/bicepProgram.js';

const SCRIPT = join(REPO_ROOT, 'scripts/hooks/wire-retrain-webhook.mjs');
const SITE_ID = '/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.Web/sites/func-abc';
const GROUP_ID = '/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.Insights/actionGroups/ag-retrain-abc';
const KEY = 'fn-key-7Q2x9Zs0';
const TOKEN = 'azd-token-for-arm';

interface Call {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

/**
 * Azure Resource Manager as far as the hook uses it, on loopback: the function's listkeys (answering 400 a chosen
 * number of times first, as while the host starts) and GET/PUT of one action group.
 */
class FakeArm {
  calls: Call[] = [];
  keyFailures = 0;
  keyStatus = 400;
  group: Record<string, unknown> = {};
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        const [path, query] = (req.url ?? '').split('?');
        const body = text ? (JSON.parse(text) as unknown) : undefined;
        this.calls.push({ method: req.method!, path: path!, authorization: req.headers.authorization, body });
        const send = (status: number, payload: unknown) =>
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
        if (path === `${SITE_ID}/functions/retrainWebhook/listkeys` && req.method === 'POST') {
          expect(query).toBe('api-version=2024-04-01');
          if (this.keyFailures > 0) {
            this.keyFailures--;
            return send(this.keyStatus, {
              error: { code: 'BadRequest', message: 'Encountered an error from host runtime' },
            });
          }
          return send(200, { default: KEY });
        }
        if (path === GROUP_ID && req.method === 'GET') return send(200, this.group);
        if (path === GROUP_ID && req.method === 'PUT') {
          this.group = { id: GROUP_ID, ...(body as Record<string, unknown>) };
          return send(200, this.group);
        }
        send(404, { error: { code: 'NotFound', message: `no ${req.method} ${path}` } });
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const arm = new FakeArm();
let bin: string;

beforeAll(async () => {
  await arm.start();
  // AzureDeveloperCliCredential runs `azd auth token --output json --scope <arm>/.default`: answer as azd does.
  bin = mkdtempSync(join(tmpdir(), 'mrm-azd-'));
  writeFileSync(
    join(bin, 'azd'),
    `#!/bin/sh\necho "$@" >> "${join(bin, 'calls')}"\necho '{"token":"${TOKEN}","expiresOn":"2999-01-01T00:00:00Z"}'\n`,
  );
  chmodSync(join(bin, 'azd'), 0o755);
});
afterAll(async () => {
  await arm.close();
  rmSync(bin, { recursive: true, force: true });
});
beforeEach(() => {
  arm.calls = [];
  arm.keyFailures = 0;
  arm.keyStatus = 400;
  arm.group = {
    id: GROUP_ID,
    location: 'global',
    tags: { 'azd-env-name': 'dev' },
    properties: { groupShortName: 'mrm-retrain', enabled: true, webhookReceivers: [], emailReceivers: [] },
  };
});

function run(
  phase: string,
  env: Record<string, string> = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SCRIPT, phase], {
      cwd: REPO_ROOT,
      env: {
        PATH: [bin, dirname(process.execPath), '/usr/bin', '/bin'].join(delimiter),
        HOME: bin,
        AZURE_RESOURCE_MANAGER_ENDPOINT: arm.url,
        AZURE_FUNCTION_APP_ID: SITE_ID,
        MRM_RETRAIN_ACTION_GROUP_ID: GROUP_ID,
        MRM_RETRAIN_WEBHOOK_URL: 'https://func-abc.azurewebsites.net/api/retrain',
        MRM_WIRE_WEBHOOK_TIMEOUT_SECONDS: '2',
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const receivers = () => (arm.group.properties as { webhookReceivers: Record<string, unknown>[] }).webhookReceivers;
const puts = () => arm.calls.filter((c) => c.method === 'PUT');

describe('the azd hook that wires the retrain webhook', () => {
  it('after deploy, puts the URL with the function’s own key into the retrain group, and never prints the key', async () => {
    const result = await run('postdeploy');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(receivers()).toEqual([
      {
        name: 'retrainWebhook',
        serviceUri: `https://func-abc.azurewebsites.net/api/retrain?code=${KEY}`,
        useCommonAlertSchema: true,
        useAadAuth: false,
      },
    ]);
    expect(arm.group).toMatchObject({ location: 'global', tags: { 'azd-env-name': 'dev' } });
    expect((arm.group.properties as Record<string, unknown>).groupShortName).toBe('mrm-retrain');
    expect(result.stdout + result.stderr).not.toContain(KEY);
    expect(arm.calls.every((c) => c.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(readFileSync(join(bin, 'calls'), 'utf8')).toContain(`--scope ${arm.url.replace(/\/$/, '')}/.default`);
  });

  it('is idempotent: a second run changes nothing and writes nothing', async () => {
    await run('postdeploy');
    arm.calls = [];
    const again = await run('postdeploy');
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/already calls retrainWebhook/);
    expect(puts()).toEqual([]);
  });

  it('keeps receivers it does not own and replaces its own stale one (a rotated key)', async () => {
    (arm.group.properties as Record<string, unknown>).webhookReceivers = [
      { name: 'chat', serviceUri: 'https://hooks.example.com/x', useCommonAlertSchema: true },
      {
        name: 'retrainWebhook',
        serviceUri: 'https://func-abc.azurewebsites.net/api/retrain?code=old',
        useCommonAlertSchema: true,
      },
    ];
    expect((await run('postdeploy')).status).toBe(0);
    expect(receivers().map((r) => [r.name, r.serviceUri])).toEqual([
      ['chat', 'https://hooks.example.com/x'],
      ['retrainWebhook', `https://func-abc.azurewebsites.net/api/retrain?code=${KEY}`],
    ]);
  });

  it('uses the secure webhook (Entra) with the app registration main.bicep outputs', async () => {
    const result = await run('postdeploy', {
      MRM_RETRAIN_WEBHOOK_AAD_OBJECT_ID: 'object-id',
      MRM_RETRAIN_WEBHOOK_AAD_IDENTIFIER_URI: 'api://mrm-webhook',
      MRM_RETRAIN_WEBHOOK_AAD_TENANT_ID: 'tenant-id',
    });
    expect(result.status).toBe(0);
    expect(receivers()[0]).toMatchObject({
      useAadAuth: true,
      objectId: 'object-id',
      identifierUri: 'api://mrm-webhook',
      tenantId: 'tenant-id',
    });
  });

  it('waits for the host after a deploy (the key API answers 400 while it starts)', async () => {
    arm.keyFailures = 3;
    const result = await run('postdeploy');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Waiting for the Functions host to start \(HTTP 400\)/);
    expect(arm.calls.filter((c) => c.path.endsWith('/listkeys'))).toHaveLength(4);
    expect(receivers()).toHaveLength(1);
  });

  it('after provisioning, before any code is deployed, says the webhook comes after deploy and succeeds', async () => {
    arm.keyFailures = 100;
    arm.keyStatus = 404;
    const result = await run('postprovision');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/not deployed yet: its webhook is wired after `azd deploy`/);
    expect(arm.calls.filter((c) => c.path.endsWith('/listkeys'))).toHaveLength(1);
    expect(puts()).toEqual([]);
  });

  it('fails the deploy, naming what to run, when the host never starts', async () => {
    arm.keyFailures = 1000;
    const result = await run('postdeploy', { MRM_WIRE_WEBHOOK_TIMEOUT_SECONDS: '0.5' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /ARM answered 400 listing the keys of retrainWebhook .*azd hooks run postdeploy.*: Encountered an error from host runtime/,
    );
    expect(puts()).toEqual([]);
  });

  it('explains a permission problem without waiting', async () => {
    arm.keyFailures = 1;
    arm.keyStatus = 403;
    const result = await run('postdeploy');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/ARM answered 403 .*needs Contributor/);
  });

  it('can be switched off (MRM_WIRE_RETRAIN_WEBHOOK=false): touches nothing', async () => {
    const result = await run('postdeploy', { MRM_WIRE_RETRAIN_WEBHOOK: 'false' });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/left without its webhook/);
    expect(arm.calls).toEqual([]);
  });

  it('names the outputs it lacks, and a bad timeout, instead of guessing', async () => {
    const missing = await run('postdeploy', { MRM_RETRAIN_ACTION_GROUP_ID: '' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/Missing azd outputs MRM_RETRAIN_ACTION_GROUP_ID: run `azd provision` first/);
    const bad = await run('postdeploy', { MRM_WIRE_WEBHOOK_TIMEOUT_SECONDS: 'soon' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/MRM_WIRE_WEBHOOK_TIMEOUT_SECONDS must be a number of seconds, got "soon"/);
    expect((await run('deploy')).status).toBe(2);
  });

  it('lists the key of the function the app registers, and azure.yaml runs it after provision and after deploy', () => {
    expect(readFileSync(join(REPO_ROOT, 'functions/retrainWebhook.ts'), 'utf8')).toMatch(/app\.http\('retrainWebhook'/);
    const yaml = readFileSync(join(REPO_ROOT, 'azure.yaml'), 'utf8');
    for (const phase of ['postprovision', 'postdeploy'])
      expect(yaml.match(new RegExp(`node scripts/hooks/wire-retrain-webhook\\.mjs ${phase}`, 'g'))).toHaveLength(2);
  });
});
