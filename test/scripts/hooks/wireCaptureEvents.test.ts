import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/bicepProgram.js';

const SCRIPT = join(REPO_ROOT, 'scripts/hooks/wire-capture-events.mjs');
const SITE_ID = '/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.Web/sites/func-abc';
const TOPIC_ID =
  '/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.EventGrid/systemTopics/evgst-capture-abc';
const PREFIXES =
  '/blobServices/default/containers/capture/blobs/evhns-abc/events/,/blobServices/default/containers/capture/blobs/evhns-abc/scored/';
const KEY = 'blobs-ext-key-3Kq';

/** ARM as the hook uses it, on loopback: the host's listkeys (without the key a chosen number of times) and a PUT. */
const arm = {
  server: undefined as Server | undefined,
  url: '',
  keyless: 0,
  puts: [] as Array<{ path: string; query: string; body: Record<string, unknown> }>,
};
let bin: string;

beforeAll(async () => {
  arm.server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const [path, query = ''] = (req.url ?? '').split('?');
      const send = (status: number, payload: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
      if (path === `${SITE_ID}/host/default/listkeys` && req.method === 'POST') {
        if (arm.keyless > 0) {
          arm.keyless--;
          return send(200, { masterKey: 'm', functionKeys: { default: 'f' }, systemKeys: {} });
        }
        return send(200, { masterKey: 'm', functionKeys: { default: 'f' }, systemKeys: { blobs_extension: KEY } });
      }
      if (path === `${TOPIC_ID}/eventSubscriptions/profile-capture-blobs` && req.method === 'PUT') {
        arm.puts.push({ path: path!, query, body: JSON.parse(text) as Record<string, unknown> });
        return send(200, { id: path });
      }
      send(404, { error: { code: 'NotFound', message: `no ${req.method} ${path}` } });
    });
  });
  await new Promise<void>((resolve) => arm.server!.listen(0, '127.0.0.1', resolve));
  arm.url = `http://127.0.0.1:${(arm.server.address() as AddressInfo).port}/`;
  // AzureDeveloperCliCredential asks `azd auth token`: a stand-in that answers as azd does.
  bin = mkdtempSync(join(tmpdir(), 'mrm-azd-events-'));
  writeFileSync(join(bin, 'azd'), `#!/bin/sh\necho '{"token":"t","expiresOn":"2999-01-01T00:00:00Z"}'\n`);
  chmodSync(join(bin, 'azd'), 0o755);
});
afterAll(async () => {
  await new Promise((resolve) => arm.server!.close(resolve));
  rmSync(bin, { recursive: true, force: true });
});
beforeEach(() => {
  arm.keyless = 0;
  arm.puts = [];
});

function run(phase: string, env: Record<string, string> = {}) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [SCRIPT, phase], {
      cwd: REPO_ROOT,
      env: {
        PATH: [bin, dirname(process.execPath), '/usr/bin', '/bin'].join(delimiter),
        HOME: bin,
        AZURE_RESOURCE_MANAGER_ENDPOINT: arm.url,
        AZURE_FUNCTION_APP_ID: SITE_ID,
        AZURE_FUNCTION_APP_URI: 'https://func-abc.azurewebsites.net',
        MRM_CAPTURE_EVENTS_TOPIC_ID: TOPIC_ID,
        MRM_CAPTURE_BLOB_SUBJECT_PREFIXES: PREFIXES,
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

describe('the azd hook that subscribes profileCaptureBlob to new Capture blobs', () => {
  it("after deploy: waits for the blob extension key, then subscribes the function's webhook to both hubs' blobs", async () => {
    arm.keyless = 2;
    const result = await run('postdeploy');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Event Grid now sends new Capture blobs (2 hub prefixes) to profileCaptureBlob.');
    expect(result.stdout).not.toContain(KEY);
    expect(arm.puts).toHaveLength(1);
    expect(arm.puts[0]!.query).toBe('api-version=2025-02-15');
    const properties = arm.puts[0]!.body.properties as {
      destination: { properties: { endpointUrl: string } };
      filter: unknown;
      eventDeliverySchema: string;
    };
    const url = new URL(properties.destination.properties.endpointUrl);
    expect(`${url.origin}${url.pathname}`).toBe('https://func-abc.azurewebsites.net/runtime/webhooks/blobs');
    expect(url.searchParams.get('functionName')).toBe('Host.Functions.profileCaptureBlob');
    expect(url.searchParams.get('code')).toBe(KEY);
    expect(properties.filter).toEqual({
      includedEventTypes: ['Microsoft.Storage.BlobCreated'],
      advancedFilters: [{ operatorType: 'StringBeginsWith', key: 'subject', values: PREFIXES.split(',') }],
    });
    expect(properties.eventDeliverySchema).toBe('EventGridSchema');
  });

  it('writes the same subscription again on a second run (idempotent PUT, a rotated key is picked up)', async () => {
    await run('postdeploy');
    await run('postdeploy');
    expect(arm.puts).toHaveLength(2);
    expect(arm.puts[1]!.body).toEqual(arm.puts[0]!.body);
  });

  it('after a provision before any deploy: says the subscription comes after `azd deploy`, and succeeds', async () => {
    arm.keyless = 1000;
    const result = await run('postprovision');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('profileCaptureBlob is not deployed yet');
    expect(arm.puts).toHaveLength(0);
  });

  it('fails naming what to do when the key never comes after a deploy, or the outputs are missing', async () => {
    arm.keyless = 1000;
    const late = await run('postdeploy', { MRM_WIRE_WEBHOOK_TIMEOUT_SECONDS: '0.3' });
    expect(late.status).toBe(1);
    expect(late.stderr).toMatch(/no blobs_extension key .*azd hooks run postdeploy/);
    const missing = await run('postdeploy', { MRM_CAPTURE_EVENTS_TOPIC_ID: '' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('Missing azd outputs MRM_CAPTURE_EVENTS_TOPIC_ID: run `azd provision` first.');
  });

  it('can be turned off, and azure.yaml runs it after the retrain webhook, after provision and after deploy', async () => {
    const off = await run('postdeploy', { MRM_WIRE_CAPTURE_EVENTS: 'false' });
    expect(off.status).toBe(0);
    expect(off.stdout).toContain('MRM_WIRE_CAPTURE_EVENTS=false');
    expect(arm.puts).toHaveLength(0);
    const yaml = readFileSync(join(REPO_ROOT, 'azure.yaml'), 'utf8');
    for (const phase of ['postprovision', 'postdeploy'])
      expect(yaml.match(new RegExp(`node scripts/hooks/wire-capture-events\\.mjs ${phase}`, 'g'))).toHaveLength(2);
    expect(readFileSync(join(REPO_ROOT, 'functions/profileCaptureBlob.ts'), 'utf8')).toContain("'profileCaptureBlob'");
  });
});
