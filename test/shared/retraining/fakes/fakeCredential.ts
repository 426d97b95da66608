import type { AccessToken, TokenCredential } from '@azure/identity';

/**
 * The managed identity's stand-in: an edge, not under test. Hands out a recognisable token per scope and records the
 * scopes asked for; `unavailable` plays a machine with no identity at all.
 */
export class FakeCredential implements TokenCredential {
  readonly scopes: string[] = [];
  unavailable = false;

  async getToken(scopes: string | string[]): Promise<AccessToken> {
    const scope = Array.isArray(scopes) ? scopes.join(' ') : scopes;
    this.scopes.push(scope);
    if (this.unavailable) {
      const error = new Error('ManagedIdentityCredential: no managed identity endpoint found');
      error.name = 'CredentialUnavailableError';
      throw error;
    }
    return { token: `token-for:${scope}`, expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}
