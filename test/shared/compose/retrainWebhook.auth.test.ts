import { HttpRequest, InvocationContext } from '@azure/functions';
import { generateKeyPair } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRetrainHandler } from '../../../shared/compose/retrainWebhook.js';
import { alertFixtureText } from '../retraining/fakes/alertFixtures.js';
import { AUDIENCE, FakeEntra, TENANT } from '../retraining/fakes/fakeEntra.js';
import { startRetrainHarness, type RetrainHarness } from '../retraining/fakes/retrainHarness.js';

function post(authorization?: string): HttpRequest {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization) headers.authorization = authorization;
  return new HttpRequest({
    method: 'POST',
    url: 'http://localhost/api/retrain',
    headers,
    body: { string: alertFixtureText('metric-fired.json') },
  });
}

const quiet = () => new InvocationContext({ logHandler: () => undefined });

describe('retrainWebhook with an Entra audience (secure webhook)', () => {
  let entra: FakeEntra;
  let harness: RetrainHarness;
  beforeAll(async () => {
    entra = await FakeEntra.start();
  });
  afterAll(async () => entra.close());
  afterEach(async () => {
    await harness.close();
    entra.mode = 'normal';
  });

  async function handler(extra: Record<string, string> = {}) {
    harness = await startRetrainHarness({
      env: { MRM_ENTRA_AUDIENCE: AUDIENCE, MRM_ENTRA_TENANT_ID: TENANT, MRM_ENTRA_AUTHORITY: entra.url, ...extra },
    });
    const service = harness.service;
    return createRetrainHandler(() => service);
  }

  it('accepts a valid token signed by the tenant key (default JWKS URL from the authority), and caches the keys', async () => {
    const handle = await handler();
    const served = entra.keysServed;
    const first = await handle(post(`Bearer ${await entra.token()}`), quiet());
    expect(first.status).toBe(202);
    const replay = await handle(post(`Bearer ${await entra.token()}`), quiet());
    expect(replay.status).toBe(200);
    expect(entra.keysServed - served).toBe(1);
  });

  it('accepts v2 tokens (issuer <authority>/<tenant>/v2.0) too', async () => {
    const handle = await handler();
    const response = await handle(
      post(`Bearer ${await entra.token({ issuer: `${entra.url}/${TENANT}/v2.0` })}`),
      quiet(),
    );
    expect(response.status).toBe(202);
  });

  it('accepts v2.0 tokens, whose audience is the client id, and v1.0 tokens for the identifier URI, when given both', async () => {
    const clientId = '0f1e2d3c-4b5a-4968-8776-655443322110';
    const handle = await handler({ MRM_ENTRA_AUDIENCE: `${AUDIENCE}, ${clientId}` });
    const v2 = await entra.token({ issuer: `${entra.url}/${TENANT}/v2.0`, audience: clientId, claims: { azp: 'x' } });
    expect((await handle(post(`Bearer ${v2}`), quiet())).status).toBe(202);
    const v1 = await entra.token({ audience: AUDIENCE });
    expect((await handle(post(`Bearer ${v1}`), quiet())).status).toBe(200);
  });

  it('refuses a v2.0 token for the client id when only the identifier URI is configured (why infra gives both)', async () => {
    const handle = await handler();
    const v2 = await entra.token({
      issuer: `${entra.url}/${TENANT}/v2.0`,
      audience: '0f1e2d3c-4b5a-4968-8776-655443322110',
    });
    const response = await handle(post(`Bearer ${v2}`), quiet());
    expect(response.status).toBe(401);
    expect(JSON.stringify(response.jsonBody)).toMatch(/aud mismatch/);
  });

  it('answers 401 with WWW-Authenticate and a reason for every bad token, and does nothing', async () => {
    const handle = await handler({ MRM_ENTRA_REQUIRED_ROLE: 'ActionGroupsSecureWebhook' });
    const { privateKey: strangerKey } = await generateKeyPair('RS256');
    const cases: [string | undefined, RegExp][] = [
      [undefined, /^Missing Authorization header: a bearer token from Entra ID is required$/],
      ['Basic dXNlcjpwYXNz', /^Authorization header must be "Bearer <token>"$/],
      ['Bearer not.a.jwt', /^Invalid token: /],
      [`Bearer ${await entra.token({ expiresInSeconds: -3600 })}`, /^Token expired$/],
      [`Bearer ${await entra.token({ audience: 'api://someone-else' })}`, /^Token rejected: aud mismatch/],
      [
        `Bearer ${await entra.token({ issuer: 'https://sts.windows.net/another-tenant/' })}`,
        /^Token rejected: iss mismatch/,
      ],
      [`Bearer ${await entra.token({ key: strangerKey })}`, /^Invalid token: signature verification failed$/],
      [`Bearer ${await entra.token({ kid: 'rotated-away' })}`, /^Token signed with a key the tenant does not publish$/],
      [
        `Bearer ${await entra.token({ claims: { roles: ['Reader'] } })}`,
        /^Token lacks the app role ActionGroupsSecureWebhook \(MRM_ENTRA_REQUIRED_ROLE\)$/,
      ],
    ];
    for (const [authorization, message] of cases) {
      const response = await handle(post(authorization), quiet());
      expect(response.status, String(authorization)).toBe(401);
      expect((response.headers as Record<string, string>)['WWW-Authenticate']).toBe('Bearer error="invalid_token"');
      const error = (response.jsonBody as { error: { code: string; message: string } }).error;
      expect(error.code).toBe('WEBHOOK.UNAUTHORIZED');
      expect(error.message).toMatch(message);
    }
    expect(harness.arm.requests).toHaveLength(0);
    expect(await harness.audit()).toHaveLength(0);
  });

  it('checks the token before the body: a stranger learns nothing about content type or size', async () => {
    const handle = await handler();
    const request = new HttpRequest({
      method: 'POST',
      url: 'http://localhost/api/retrain',
      headers: { 'content-type': 'text/plain' },
      body: { string: 'x' },
    });
    expect((await handle(request, quiet())).status).toBe(401);
  });

  it('answers 503 when the signing keys cannot be fetched, so the action group retries', async () => {
    const handle = await handler({ MRM_ENTRA_JWKS_URL: `${entra.url}/${TENANT}/discovery/v2.0/keys` });
    entra.mode = 500;
    const response = await handle(post(`Bearer ${await entra.token()}`), quiet());
    expect(response.status).toBe(503);
    expect((response.jsonBody as { error: { code: string } }).error.code).toBe('WEBHOOK.KEYS_UNAVAILABLE');
  });
});
