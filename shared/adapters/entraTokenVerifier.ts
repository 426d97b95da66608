import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { TokenOutcome, TokenVerifier } from '../retraining/ports.js';

export interface EntraTokenVerifierOptions {
  /** Accepted audiences (the secure-webhook app's Application ID URI and/or client id). */
  audiences: string[];
  issuers: string[];
  jwksUrl: string;
  /** App role the `roles` claim must contain, if any. */
  requiredRole?: string | undefined;
  /** Clock skew tolerated on exp/nbf, in seconds. Default 300 (Entra's own guidance is five minutes). */
  clockToleranceInSeconds?: number;
  /** Key fetch timeout, in milliseconds. Default 5000. */
  jwksTimeoutInMs?: number;
}

/** Entra's issuers for a tenant: v1 tokens (sts.windows.net) and v2 tokens (<authority>/<tenant>/v2.0). */
export function entraIssuers(authority: string, tenantId: string): string[] {
  return [`https://sts.windows.net/${tenantId}/`, `${authority.replace(/\/+$/, '')}/${tenantId}/v2.0`];
}

export function entraJwksUrl(authority: string, tenantId: string): string {
  return `${authority.replace(/\/+$/, '')}/${tenantId}/discovery/v2.0/keys`;
}

/**
 * Checks the bearer token a secure-webhook action group sends: RS256 signature against the tenant's published keys
 * (jose's remote key set: cached, refetched when a token names an unknown key id, at most every 30 s), issuer,
 * audience, expiry and not-before, and optionally an app role.
 */
export class EntraTokenVerifier implements TokenVerifier {
  private readonly keys: JWTVerifyGetKey;

  constructor(private readonly options: EntraTokenVerifierOptions) {
    this.keys = createRemoteJWKSet(new URL(options.jwksUrl), {
      timeoutDuration: options.jwksTimeoutInMs ?? 5000,
      cooldownDuration: 30_000,
      cacheMaxAge: 24 * 3_600_000,
    });
  }

  async verify(authorization: string | null): Promise<TokenOutcome> {
    if (!authorization)
      return { kind: 'invalid', message: 'Missing Authorization header: a bearer token from Entra ID is required' };
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) return { kind: 'invalid', message: 'Authorization header must be "Bearer <token>"' };
    try {
      const { payload } = await jwtVerify(match[1]!, this.keys, {
        issuer: this.options.issuers,
        audience: this.options.audiences,
        algorithms: ['RS256'],
        clockTolerance: this.options.clockToleranceInSeconds ?? 300,
        requiredClaims: ['exp'],
      });
      const role = this.options.requiredRole;
      if (role) {
        const roles = Array.isArray(payload.roles) ? payload.roles : [];
        if (!roles.includes(role))
          return { kind: 'invalid', message: `Token lacks the app role ${role} (MRM_ENTRA_REQUIRED_ROLE)` };
      }
      return {
        kind: 'valid',
        caller: {
          subject: payload.sub,
          appId:
            typeof payload.appid === 'string'
              ? payload.appid
              : typeof payload.azp === 'string'
                ? payload.azp
                : undefined,
        },
      };
    } catch (error) {
      return outcomeOf(error);
    }
  }
}

function outcomeOf(error: unknown): TokenOutcome {
  if (error instanceof errors.JWTExpired) return { kind: 'invalid', message: 'Token expired' };
  if (error instanceof errors.JWTClaimValidationFailed)
    return {
      kind: 'invalid',
      message: `Token rejected: ${error.claim} ${error.reason === 'check_failed' ? 'mismatch' : error.reason} (${error.message})`,
    };
  if (error instanceof errors.JWKSTimeout)
    return { kind: 'unavailable', message: 'Signing keys did not arrive in time' };
  if (error instanceof errors.JWKSNoMatchingKey)
    return { kind: 'invalid', message: 'Token signed with a key the tenant does not publish' };
  if (error instanceof errors.JWKSInvalid)
    return { kind: 'unavailable', message: 'Signing keys endpoint returned an invalid key set' };
  // jose raises its generic error for a JWKS answer that is not 200 JSON: the key endpoint's fault, not the caller's.
  if (error instanceof errors.JOSEError && error.code === 'ERR_JOSE_GENERIC')
    return { kind: 'unavailable', message: `Signing keys unavailable: ${error.message}` };
  if (error instanceof errors.JOSEError) return { kind: 'invalid', message: `Invalid token: ${error.message}` };
  // Anything else is the key fetch failing (network, non-200): not the caller's fault.
  return {
    kind: 'unavailable',
    message: `Signing keys unavailable: ${error instanceof Error ? error.message : String(error)}`,
  };
}
