import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer, connect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';

/** Azurite's published development account; not a secret (https://learn.microsoft.com/azure/storage/common/storage-use-azurite). */
export const AZURITE_ACCOUNT_NAME = 'devstoreaccount1';
export const AZURITE_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  /** Keep blobs in memory (default) or in a temporary folder removed on stop. */
  persistence?: 'memory' | 'disk';
  /** How long to wait for the port to accept connections. Default 20 000 ms. */
  startTimeoutInMs?: number;
}

export interface RunningAzurite {
  readonly blobPort: number;
  readonly blobEndpoint: string;
  readonly connectionString: string;
  stop(): Promise<void>;
}

export function azuriteConnectionString(blobPort: number, host = '127.0.0.1'): string {
  return (
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};AccountKey=${AZURITE_ACCOUNT_KEY};` +
    `BlobEndpoint=http://${host}:${blobPort}/${AZURITE_ACCOUNT_NAME};`
  );
}

/**
 * Starts Azurite's blob service as a child Node process on a free loopback port. Started with node directly (not npx)
 * so that the PID we stop is the server's own.
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const blobPort = await freePort();
  const location = await mkdtemp(join(tmpdir(), 'mrm-azurite-'));
  const require = createRequire(import.meta.url);
  const azuriteMain = join(dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'blob', 'main.js');
  const args = [
    azuriteMain,
    '--blobHost',
    '127.0.0.1',
    '--blobPort',
    String(blobPort),
    '--skipApiVersionCheck',
    '--disableTelemetry',
    '--loose',
    '--silent',
  ];
  // Azurite refuses --location together with --inMemoryPersistence; its working folder is the temp folder either way.
  args.push(...((options.persistence ?? 'memory') === 'memory' ? ['--inMemoryPersistence'] : ['--location', location]));
  const child = spawn(process.execPath, args, { cwd: location, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  try {
    await waitForPort(blobPort, options.startTimeoutInMs ?? 20_000, child, () => stderr);
  } catch (error) {
    child.kill('SIGKILL');
    await rm(location, { recursive: true, force: true });
    throw error;
  }
  return {
    blobPort,
    blobEndpoint: `http://127.0.0.1:${blobPort}/${AZURITE_ACCOUNT_NAME}`,
    connectionString: azuriteConnectionString(blobPort),
    stop: async () => {
      await stopChild(child);
      await rm(location, { recursive: true, force: true });
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(
  port: number,
  timeoutInMs: number,
  child: ChildProcess,
  stderr: () => string,
): Promise<void> {
  const deadline = performance.now() + timeoutInMs;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`Azurite exited with code ${child.exitCode} before listening on port ${port}: ${stderr()}`);
    }
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Azurite did not listen on 127.0.0.1:${port} within ${timeoutInMs} ms: ${stderr()}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}
