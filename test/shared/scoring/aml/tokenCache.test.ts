import { describe, expect, it } from 'vitest';
import { TokenCache, type AccessTokenLike } from '../../../../shared/scoring/aml/tokenCache.js';

function source(tokens: Array<AccessTokenLike | Error | null>) {
  const scopes: Array<string | string[]> = [];
  return {
    scopes,
    getToken: async (scope: string | string[]) => {
      scopes.push(scope);
      const next = tokens.shift();
      if (next instanceof Error) throw next;
      return next ?? null;
    },
  };
}

describe('TokenCache', () => {
  const hour = 3_600_000;

  it('asks for the scope once and reuses the token until near expiry', async () => {
    const clock = { t: 0 };
    const credential = source([
      { token: 'one', expiresOnTimestamp: hour },
      { token: 'two', expiresOnTimestamp: 2 * hour },
    ]);
    const cache = new TokenCache(credential, {
      scope: 'https://ml.azure.com/.default',
      clock: { nowInMs: () => clock.t },
      refreshMarginInMs: 60_000,
    });
    expect(await cache.token()).toBe('one');
    clock.t = hour - 60_001;
    expect(await cache.token()).toBe('one');
    clock.t = hour - 60_000;
    expect(await cache.token()).toBe('two');
    expect(credential.scopes).toEqual(['https://ml.azure.com/.default', 'https://ml.azure.com/.default']);
  });

  it("honours the credential's refresh hint", async () => {
    const clock = { t: 0 };
    const credential = source([
      { token: 'one', expiresOnTimestamp: hour, refreshAfterTimestamp: 1000 },
      { token: 'two', expiresOnTimestamp: hour },
    ]);
    const cache = new TokenCache(credential, { scope: 's', clock: { nowInMs: () => clock.t } });
    await cache.token();
    clock.t = 1000;
    expect(await cache.token()).toBe('two');
  });

  it('fetches once for concurrent callers', async () => {
    const credential = source([{ token: 'one', expiresOnTimestamp: 10 * 3_600_000 }]);
    const cache = new TokenCache(credential, { scope: 's', clock: { nowInMs: () => 0 } });
    expect(await Promise.all([cache.token(), cache.token(), cache.token()])).toEqual(['one', 'one', 'one']);
    expect(credential.scopes).toHaveLength(1);
  });

  it('asks afresh after invalidate (a 401)', async () => {
    const credential = source([
      { token: 'one', expiresOnTimestamp: hour },
      { token: 'two', expiresOnTimestamp: hour },
    ]);
    const cache = new TokenCache(credential, { scope: 's', clock: { nowInMs: () => 0 } });
    await cache.token();
    cache.invalidate();
    expect(await cache.token()).toBe('two');
  });

  it('rejects when the credential fails or answers no token, and tries again next time', async () => {
    const credential = source([new Error('IMDS unreachable'), null, { token: 'ok', expiresOnTimestamp: hour }]);
    const cache = new TokenCache(credential, { scope: 'https://ml.azure.com/.default', clock: { nowInMs: () => 0 } });
    await expect(cache.token()).rejects.toThrow('IMDS unreachable');
    await expect(cache.token()).rejects.toThrow('The credential returned no token for https://ml.azure.com/.default');
    expect(await cache.token()).toBe('ok');
  });
});
