import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';

export const TENANT = '72f988bf-0000-4000-8000-2d7cd011db47';
export const AUDIENCE = 'api://mrm-retrain-webhook';

/**
 * A real local server publishing a tenant's signing keys (JWKS), with keys generated per test run, and a signer that
 * issues tokens the way Entra does for a secure webhook. It can be told to fail (500) or hang.
 */
export class FakeEntra {
  keysServed = 0;
  mode: 'normal' | 500 | 'hang' = 'normal';
  private server!: Server;
  private readonly sockets = new Set<Socket>();
  private privateKey!: CryptoKey;
  private jwk!: Record<string, unknown>;
  url = '';

  static async start(): Promise<FakeEntra> {
    const fake = new FakeEntra();
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    fake.privateKey = privateKey;
    fake.jwk = { ...(await exportJWK(publicKey)), kid: 'test-key-1', use: 'sig', alg: 'RS256' };
    fake.server = createServer((req, res) => {
      if (req.url !== `/${TENANT}/discovery/v2.0/keys`) {
        res.writeHead(404).end();
        return;
      }
      if (fake.mode === 'hang') return;
      fake.keysServed++;
      if (fake.mode === 500) {
        res.writeHead(500).end('boom');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [fake.jwk] }));
    });
    fake.server.on('connection', (socket: Socket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  get jwksUrl(): string {
    return `${this.url}/${TENANT}/discovery/v2.0/keys`;
  }

  /** A token as Entra issues it for the secure webhook (v1 issuer), with overrides for the failure cases. */
  async token(
    options: {
      claims?: JWTPayload;
      expiresInSeconds?: number;
      kid?: string;
      key?: CryptoKey;
      issuer?: string;
      audience?: string;
    } = {},
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      roles: ['ActionGroupsSecureWebhook'],
      appid: '461e8683-5575-4561-ac7f-899cc907d62a',
      ...options.claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'test-key-1', typ: 'JWT' })
      .setIssuer(options.issuer ?? `https://sts.windows.net/${TENANT}/`)
      .setAudience(options.audience ?? AUDIENCE)
      .setSubject('action-group-sp')
      .setIssuedAt(now - 60)
      .setNotBefore(now - 60)
      .setExpirationTime(now + (options.expiresInSeconds ?? 3600))
      .sign(options.key ?? this.privateKey);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
