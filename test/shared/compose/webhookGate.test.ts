import { describe, expect, it } from 'vitest';
import type { TokenVerifier } from '../../../shared/retraining/ports.js';
import { createWebhookGate, type WebhookRequest } from '../../../shared/compose/webhookGate.js';
import type { WebhookResponse } from '../../../shared/compose/webhookResponse.js';

function request(
  headers: Record<string, string>,
  body: string | Uint8Array,
  onRead: () => void = () => undefined,
): WebhookRequest {
  return {
    header: (name) => headers[name.toLowerCase()] ?? null,
    body: async () => {
      onRead();
      const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}

/** The gate in front of a use case that just echoes what reached it. */
function gate(options: { maxBodyBytes?: number; tokens?: TokenVerifier } = {}) {
  const seen: unknown[] = [];
  const handle = createWebhookGate(
    { maxBodyBytes: options.maxBodyBytes ?? 1024, tokens: options.tokens },
    async (body): Promise<WebhookResponse> => {
      seen.push(body);
      return { status: 200, body: { status: 'no_action_needed', reason: 'echo' } };
    },
  );
  return { handle, seen };
}

describe('webhook gate', () => {
  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'Application/JSON;charset="UTF-8"',
    'application/vnd.azure+json',
  ])('accepts %s', async (type) => {
    const { handle, seen } = gate();
    expect((await handle(request({ 'content-type': type }, '{"a":1}'))).status).toBe(200);
    expect(seen).toEqual([{ a: 1 }]);
  });

  it('refuses other charsets with 415', async () => {
    const { handle, seen } = gate();
    const response = await handle(request({ 'content-type': 'application/json; charset=latin1' }, '{}'));
    expect(response).toMatchObject({
      status: 415,
      body: { error: { message: 'Content-Type charset must be utf-8, got "latin1"' } },
    });
    expect(seen).toEqual([]);
  });

  it('answers 413 from Content-Length without reading the body, and from the body when the header lies', async () => {
    const { handle } = gate({ maxBodyBytes: 100 });
    let reads = 0;
    const declared = await handle(
      request({ 'content-type': 'application/json', 'content-length': '5000' }, '{}', () => reads++),
    );
    expect(declared.status).toBe(413);
    expect(reads).toBe(0);
    const actual = await handle(
      request({ 'content-type': 'application/json', 'content-length': '2' }, `{"a":"${'x'.repeat(200)}"}`),
    );
    expect(actual).toMatchObject({
      status: 413,
      body: {
        error: {
          code: 'WEBHOOK.TOO_LARGE',
          message: 'Body of 208 bytes is over the limit of 100 bytes (MRM_WEBHOOK_MAX_BODY_BYTES)',
        },
      },
    });
  });

  it('answers 400 for bodies that are not UTF-8, empty, or not JSON', async () => {
    const { handle } = gate();
    const json = { 'content-type': 'application/json' };
    expect(await handle(request(json, new Uint8Array([0x7b, 0xff, 0x7d])))).toMatchObject({
      status: 400,
      body: { error: { code: 'WEBHOOK.NOT_UTF8' } },
    });
    expect(await handle(request(json, '  '))).toMatchObject({
      status: 400,
      body: { error: { message: 'Body is empty; expected a JSON object' } },
    });
    expect(await handle(request(json, "{'a': 1}"))).toMatchObject({
      status: 400,
      body: { error: { code: 'WEBHOOK.MALFORMED_JSON' } },
    });
  });

  it('checks the token first when an audience is configured', async () => {
    const tokens: TokenVerifier = {
      verify: async (authorization) =>
        authorization === 'Bearer good'
          ? { kind: 'valid', caller: { subject: 's', appId: 'a' } }
          : authorization === 'Bearer later'
            ? { kind: 'unavailable', message: 'keys down' }
            : { kind: 'invalid', message: 'nope' },
    };
    const { handle, seen } = gate({ tokens });
    expect((await handle(request({ 'content-type': 'text/plain' }, 'x'))).status).toBe(401);
    expect(
      await handle(request({ 'content-type': 'application/json', authorization: 'Bearer later' }, '{}')),
    ).toMatchObject({ status: 503, headers: { 'Retry-After': '30' } });
    expect(
      (await handle(request({ 'content-type': 'application/json', authorization: 'Bearer good' }, '{}'))).status,
    ).toBe(200);
    expect(seen).toEqual([{}]);
  });
});
