import type { Clock } from '../../contracts/clock.js';

/** What `@azure/identity`'s TokenCredential.getToken answers, structurally (the core imports no Azure SDK). */
export interface AccessTokenLike {
  token: string;
  expiresOnTimestamp: number;
  /** When the identity library suggests refreshing (managed identity sets it to about half the lifetime). */
  refreshAfterTimestamp?: number;
}

export interface TokenSource {
  getToken(scopes: string | string[]): Promise<AccessTokenLike | null>;
}

export interface TokenCacheOptions {
  scope: string;
  clock: Clock;
  /** Refresh this long before expiry, so a token never expires mid-request (default 5 minutes). */
  refreshMarginInMs?: number;
}

/**
 * One bearer token shared by every request of an instance: fetched on first use, reused until near expiry (or the
 * credential's own refresh hint), fetched once for concurrent callers, and dropped on a 401 so the next request asks
 * afresh (a rotated key or a revoked token then heals without a restart).
 */
export class TokenCache {
  private cached: AccessTokenLike | undefined;
  private pending: Promise<string> | undefined;
  private readonly refreshMarginInMs: number;

  constructor(
    private readonly source: TokenSource,
    private readonly options: TokenCacheOptions,
  ) {
    this.refreshMarginInMs = options.refreshMarginInMs ?? 5 * 60_000;
  }

  async token(): Promise<string> {
    if (this.cached && !this.isStale(this.cached)) return this.cached.token;
    this.pending ??= this.fetch().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  private isStale(token: AccessTokenLike): boolean {
    const now = this.options.clock.nowInMs();
    if (token.refreshAfterTimestamp !== undefined && now >= token.refreshAfterTimestamp) return true;
    return now >= token.expiresOnTimestamp - this.refreshMarginInMs;
  }

  private async fetch(): Promise<string> {
    const fresh = await this.source.getToken(this.options.scope);
    if (!fresh || !fresh.token) throw new Error(`The credential returned no token for ${this.options.scope}`);
    this.cached = fresh;
    return fresh.token;
  }
}
