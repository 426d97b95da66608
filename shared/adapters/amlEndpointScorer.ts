import { randomUUID } from 'node:crypto';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { errorMessage, MrmError, type Failure } from '../errors.js';
import type { Settings } from '../config/settings.js';
import type { Prediction, ScoreOutcome, ScoreRequest, Scorer } from '../contracts/scorer.js';
import { amlTokenScope, type AmlRequestFormat, type AmlResponseFormat } from '../scoring/aml/amlFormats.js';
import { amlRequestBody } from '../scoring/aml/amlRequestBody.js';
import { parseAmlResponse } from '../scoring/aml/parseAmlResponse.js';
import { isRetryableStatus, retryAfterInMs, retryDelayInMs } from '../scoring/aml/retryPolicy.js';
import { CircuitBreaker, type BreakerPermit, type BreakerState } from '../scoring/aml/circuitBreaker.js';
import { TokenCache } from '../scoring/aml/tokenCache.js';
import type { Clock } from '../contracts/clock.js';
import { systemClock } from './clocks.js';
import { mapWithConcurrency } from '../concurrency/mapWithConcurrency.js';
import { chunksOf } from '../scoring/aml/chunksOf.js';

export type AmlAuth = { kind: 'key'; key: string } | { kind: 'entra'; credential: TokenCredential };

export interface AmlEndpointScorerOptions {
  /** The endpoint's scoring URI (`https://<endpoint>.<region>.inference.ml.azure.com/score`). */
  endpointUrl: string;
  auth: AmlAuth;
  /** Sent as `azureml-model-deployment` to pin a deployment; unset lets the endpoint split traffic. */
  deployment?: string | undefined;
  /** Feature names in profile order: the request's columns. */
  columns: readonly string[];
  /** Class names in the order of the endpoint's probability columns; at least two, distinct. */
  classes: readonly string[];
  /** Default `mlflow-split`. */
  requestFormat?: AmlRequestFormat;
  /** Default `probabilities`. */
  responseFormat?: AmlResponseFormat;
  /** One attempt's budget, response body included. Default 10 000. */
  timeoutInMs?: number;
  /** Largest answer read for one request; a longer one is a bad response. Default 64 KiB + 4 KiB per event. */
  maxResponseBytes?: number | undefined;
  /** Retries after the first attempt on 408, 429, 5xx, timeouts and network errors. Default 3. */
  maxRetries?: number;
  /** Events per request; a batch is chunked by it. Default 100. */
  maxBatchSize?: number;
  /** Chunk requests in flight at once. Default 2. */
  concurrency?: number;
  /** Backoff ceiling before the first retry, doubling after. Default 250. */
  retryBaseDelayInMs?: number;
  /** Cap on any single wait, Retry-After included. Default 10 000. */
  maxRetryWaitInMs?: number;
  /** Consecutive failed requests that open the breaker. Default 5. */
  breakerFailures?: number;
  /** Open time before one half-open trial. Default 30 000. */
  breakerCooldownInMs?: number;
  /** Recorded on scored records. Default `aml:<endpoint name>[/<deployment>]`. */
  modelVersion?: string;
  /** Injected for tests; default the wall clock, a real timer, Math.random. */
  clock?: Clock;
  sleep?: (delayInMs: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

/** What one request came to, before the breaker and the per-event mapping see it. */
type ChunkAnswer =
  | { kind: 'scored'; predictions: Prediction[] }
  | { kind: 'failed'; failure: Failure }
  | { kind: 'aborted'; failure: Failure };

/** One attempt over the wire. */
type Attempt =
  | { kind: 'answer'; status: number; text: string; headers: Headers }
  | { kind: 'too-large'; status: number }
  | { kind: 'timeout' }
  | { kind: 'network'; message: string }
  | { kind: 'credential'; message: string }
  | { kind: 'aborted' };

/**
 * The `aml` scorer: an Azure ML managed online endpoint behind the `Scorer` port. A batch's events go out in chunks of
 * `maxBatchSize`, a few chunks at a time; each chunk is one POST with a per-attempt timeout, retried with jittered
 * exponential backoff (honouring Retry-After) on 408/429/5xx/timeouts/network errors, behind a circuit breaker.
 * Whatever happens, every request gets exactly one outcome, in order: a prediction, or `SCORER.UNAVAILABLE` /
 * `SCORER.BAD_RESPONSE` for each event of a chunk that could not be scored (scoreEvents dead-letters those, and they
 * can be replayed). `scoreBatch` never rejects.
 */
export class AmlEndpointScorer implements Scorer {
  readonly kind = 'aml' as const;
  readonly modelVersion: string;

  private readonly endpointUrl: string;
  private readonly columns: readonly string[];
  private readonly classes: readonly string[];
  private readonly requestFormat: AmlRequestFormat;
  private readonly responseFormat: AmlResponseFormat;
  private readonly timeoutInMs: number;
  private readonly maxResponseBytes: number | undefined;
  private readonly maxRetries: number;
  private readonly maxBatchSize: number;
  private readonly concurrency: number;
  private readonly retryBaseDelayInMs: number;
  private readonly maxRetryWaitInMs: number;
  private readonly clock: Clock;
  private readonly sleep: (delayInMs: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly breaker: CircuitBreaker;
  private readonly staticHeaders: Record<string, string>;
  private readonly tokens: TokenCache | undefined;

  constructor(options: AmlEndpointScorerOptions) {
    let url: URL;
    try {
      url = new URL(options.endpointUrl);
    } catch (cause) {
      throw new MrmError(
        'configuration',
        'CONFIG.AML_SCORER',
        `The Azure ML endpoint URL "${options.endpointUrl}" is not a URL`,
        {
          cause,
        },
      );
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new MrmError(
        'configuration',
        'CONFIG.AML_SCORER',
        `The Azure ML endpoint URL must be http(s), got "${options.endpointUrl}"`,
      );
    }
    if (options.classes.length < 2 || new Set(options.classes).size !== options.classes.length) {
      throw new MrmError(
        'configuration',
        'CONFIG.AML_SCORER',
        `The aml scorer needs at least two distinct class names (MRM_AML_CLASSES or the profile's), got [${options.classes.join(', ')}]`,
      );
    }
    if (options.columns.length === 0)
      throw new MrmError('configuration', 'CONFIG.AML_SCORER', "The aml scorer needs the profile's feature names");
    if (options.auth.kind === 'key' && options.auth.key.trim() === '') {
      throw new MrmError('configuration', 'CONFIG.AML_SCORER', 'MRM_AML_AUTH=key needs MRM_AML_KEY');
    }

    this.endpointUrl = url.toString();
    this.columns = [...options.columns];
    this.classes = [...options.classes];
    this.requestFormat = options.requestFormat ?? 'mlflow-split';
    this.responseFormat = options.responseFormat ?? 'probabilities';
    this.timeoutInMs = positive('timeoutInMs', options.timeoutInMs ?? 10_000);
    this.maxResponseBytes =
      options.maxResponseBytes === undefined ? undefined : positive('maxResponseBytes', options.maxResponseBytes);
    this.maxRetries = wholeNumber('maxRetries', options.maxRetries ?? 3, 0);
    this.maxBatchSize = wholeNumber('maxBatchSize', options.maxBatchSize ?? 100, 1);
    this.concurrency = wholeNumber('concurrency', options.concurrency ?? 2, 1);
    this.retryBaseDelayInMs = options.retryBaseDelayInMs ?? 250;
    this.maxRetryWaitInMs = options.maxRetryWaitInMs ?? 10_000;
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? ((delayInMs, signal) => sleepFor(delayInMs, undefined, { signal }));
    this.random = options.random ?? Math.random;
    this.breaker = new CircuitBreaker({
      failureThreshold: options.breakerFailures ?? 5,
      cooldownInMs: options.breakerCooldownInMs ?? 30_000,
      clock: this.clock,
    });
    this.staticHeaders = {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(options.deployment ? { 'azureml-model-deployment': options.deployment } : {}),
      ...(options.auth.kind === 'key' ? { authorization: `Bearer ${options.auth.key.trim()}` } : {}),
    };
    this.tokens =
      options.auth.kind === 'entra'
        ? new TokenCache(options.auth.credential, { scope: amlTokenScope, clock: this.clock })
        : undefined;
    // `<endpoint>.<region>.inference.ml.azure.com`: the endpoint's name is the first label.
    const endpointName = url.hostname.endsWith('.ml.azure.com') ? url.hostname.split('.')[0]! : url.host;
    this.modelVersion =
      options.modelVersion ?? `aml:${endpointName}${options.deployment ? `/${options.deployment}` : ''}`;
  }

  /**
   * Wires the scorer from the app's settings (section `scoring`, MRM_AML_*). `columns` and `classes` come from the
   * baseline profile; MRM_AML_CLASSES, when set, overrides the classes. Without a `credential`, Entra auth uses
   * DefaultAzureCredential with the app's user-assigned identity (AZURE_CLIENT_ID) when one is set.
   */
  static fromSettings(
    settings: Settings,
    profile: { columns: readonly string[]; classes: readonly string[] },
    overrides: Partial<Pick<AmlEndpointScorerOptions, 'modelVersion' | 'clock' | 'sleep' | 'random'>> & {
      credential?: TokenCredential;
    } = {},
  ): AmlEndpointScorer {
    const s = settings.scoring;
    if (!s.amlEndpointUrl)
      throw new MrmError('configuration', 'CONFIG.AML_SCORER', 'MRM_AML_ENDPOINT_URL: required when MRM_SCORER=aml');
    const classes = s.amlClasses
      ? s.amlClasses
          .split(',')
          .map((name) => name.trim())
          .filter((name) => name !== '')
      : profile.classes;
    const clientId = settings.core.managedIdentityClientId;
    const auth: AmlAuth =
      s.amlAuth === 'key'
        ? { kind: 'key', key: s.amlKey ?? '' }
        : {
            kind: 'entra',
            credential:
              overrides.credential ??
              (clientId
                ? new DefaultAzureCredential({ managedIdentityClientId: clientId })
                : new DefaultAzureCredential()),
          };
    return new AmlEndpointScorer({
      endpointUrl: s.amlEndpointUrl,
      auth,
      deployment: s.amlDeployment,
      columns: profile.columns,
      classes,
      requestFormat: s.amlRequestFormat,
      responseFormat: s.amlResponseFormat,
      timeoutInMs: s.amlTimeoutInMs,
      maxResponseBytes: s.amlMaxResponseBytes,
      maxRetries: s.amlMaxRetries,
      maxBatchSize: s.amlMaxBatchSize,
      concurrency: s.amlConcurrency,
      retryBaseDelayInMs: s.amlRetryBaseDelayInMs,
      maxRetryWaitInMs: s.amlMaxRetryWaitInMs,
      breakerFailures: s.amlBreakerFailures,
      breakerCooldownInMs: s.amlBreakerCooldownInMs,
      ...(overrides.modelVersion === undefined ? {} : { modelVersion: overrides.modelVersion }),
      ...(overrides.clock === undefined ? {} : { clock: overrides.clock }),
      ...(overrides.sleep === undefined ? {} : { sleep: overrides.sleep }),
      ...(overrides.random === undefined ? {} : { random: overrides.random }),
    });
  }

  /** For health logs: `open` means events are being dead-lettered without calling the endpoint. */
  get breakerState(): BreakerState {
    return this.breaker.state;
  }

  async scoreBatch(requests: readonly ScoreRequest[], options: { signal?: AbortSignal } = {}): Promise<ScoreOutcome[]> {
    if (requests.length === 0) return [];
    try {
      const chunks = chunksOf(requests, this.maxBatchSize);
      const answered = await mapWithConcurrency(chunks, this.concurrency, (chunk) =>
        this.scoreChunk(chunk, options.signal),
      );
      return answered.flat();
    } catch (error) {
      // A bug, not a service failure; the events still come back (as unavailable, so they can be replayed).
      return outcomesFor(requests.length, {
        kind: 'bug',
        code: 'SCORER.UNAVAILABLE',
        message: `The aml scorer failed unexpectedly: ${errorMessage(error)}`,
        detail: { reason: 'internal' },
      });
    }
  }

  private async scoreChunk(chunk: readonly ScoreRequest[], signal: AbortSignal | undefined): Promise<ScoreOutcome[]> {
    // A chunk behind a half-open trial waits for it: refusing would dead-let a batch the endpoint can now answer.
    const permit = await this.breaker.acquire();
    if (!permit) {
      return outcomesFor(chunk.length, {
        kind: 'transient',
        code: 'SCORER.UNAVAILABLE',
        message: 'The Azure ML endpoint has been failing: its circuit breaker is open, so the events were not sent',
        detail: { reason: 'breaker', breaker: 'open' },
      });
    }
    let answer: ChunkAnswer;
    try {
      answer = await this.send(chunk, signal);
    } catch (error) {
      this.breaker.released(permit);
      throw error;
    }
    this.settle(permit, answer);
    if (answer.kind === 'scored') return answer.predictions.map((value) => ({ ok: true, value }));
    return outcomesFor(chunk.length, answer.failure);
  }

  private settle(permit: BreakerPermit, answer: ChunkAnswer): void {
    if (answer.kind === 'scored') this.breaker.succeeded(permit);
    else if (answer.kind === 'aborted') this.breaker.released(permit);
    else this.breaker.failed(permit);
  }

  private async send(chunk: readonly ScoreRequest[], signal: AbortSignal | undefined): Promise<ChunkAnswer> {
    const body = JSON.stringify(amlRequestBody(this.requestFormat, this.columns, chunk));
    // One id for every attempt of this chunk, so the endpoint's logs can be matched with ours.
    const requestId = randomUUID();
    const unavailable = (message: string, detail: Record<string, unknown>): ChunkAnswer => ({
      kind: 'failed',
      failure: { kind: 'transient', code: 'SCORER.UNAVAILABLE', message, detail: { ...detail, requestId } },
    });
    const aborted = (attempts: number): ChunkAnswer => ({
      kind: 'aborted',
      failure: {
        kind: 'transient',
        code: 'SCORER.UNAVAILABLE',
        message: 'Scoring was cancelled before the Azure ML endpoint answered',
        detail: { reason: 'aborted', attempts, requestId },
      },
    });

    // An answer has a few dozen bytes per event; the cap leaves room for many classes and a verbose envelope.
    const maxResponseBytes = this.maxResponseBytes ?? 64 * 1024 + 4096 * chunk.length;
    for (let attempts = 1; ; attempts++) {
      if (signal?.aborted) return aborted(attempts - 1);
      const attempt = await this.attempt(body, requestId, maxResponseBytes, signal);
      if (attempt.kind === 'aborted') return aborted(attempts);
      if (attempt.kind === 'too-large') {
        // Not retried: an endpoint that answers this once answers it again, and each attempt costs the cap.
        return {
          kind: 'failed',
          failure: {
            kind: 'configuration',
            code: 'SCORER.BAD_RESPONSE',
            message: `The Azure ML endpoint's answer cannot be used: it is longer than ${maxResponseBytes} bytes for ${chunk.length} events (MRM_AML_MAX_RESPONSE_BYTES)`,
            detail: { reason: 'too-large', status: attempt.status, maxResponseBytes, attempts, requestId },
          },
        };
      }
      if (attempt.kind === 'credential') {
        return unavailable(`No Entra token for ${amlTokenScope}: ${attempt.message}`, {
          reason: 'credential',
          attempts,
        });
      }
      if (attempt.kind === 'answer' && attempt.status >= 200 && attempt.status < 300) {
        const parsed = parseAmlResponse(attempt.text, {
          format: this.responseFormat,
          classes: this.classes,
          expectedCount: chunk.length,
          status: attempt.status,
        });
        if (parsed.ok) return { kind: 'scored', predictions: parsed.value };
        return {
          kind: 'failed',
          failure: { ...parsed.error, detail: { ...parsed.error.detail, attempts, requestId } },
        };
      }
      if (attempt.kind === 'answer' && attempt.status === 401) this.tokens?.invalidate();

      const retryable = attempt.kind !== 'answer' || isRetryableStatus(attempt.status);
      if (!retryable || attempts > this.maxRetries) {
        switch (attempt.kind) {
          case 'answer':
            return unavailable(
              `The Azure ML endpoint answered HTTP ${attempt.status} (${attempts} attempt${attempts === 1 ? '' : 's'})`,
              { reason: 'http', status: attempt.status, attempts, snippet: attempt.text.slice(0, 200) },
            );
          case 'timeout':
            return unavailable(
              `The Azure ML endpoint did not answer within ${this.timeoutInMs} ms (${attempts} attempts)`,
              {
                reason: 'timeout',
                timeoutInMs: this.timeoutInMs,
                attempts,
              },
            );
          case 'network':
            return unavailable(
              `The Azure ML endpoint could not be reached: ${attempt.message} (${attempts} attempts)`,
              {
                reason: 'network',
                attempts,
              },
            );
        }
      }

      const waitInMs = retryDelayInMs({
        retryIndex: attempts - 1,
        baseDelayInMs: this.retryBaseDelayInMs,
        maxDelayInMs: this.maxRetryWaitInMs,
        retryAfterInMs:
          attempt.kind === 'answer'
            ? retryAfterInMs((name) => attempt.headers.get(name), this.clock.nowInMs())
            : undefined,
        random: this.random,
      });
      try {
        await this.sleep(waitInMs, signal);
      } catch (error) {
        if (signal?.aborted) return aborted(attempts);
        throw error;
      }
    }
  }

  private async attempt(
    body: string,
    requestId: string,
    maxResponseBytes: number,
    signal: AbortSignal | undefined,
  ): Promise<Attempt> {
    const headers: Record<string, string> = { ...this.staticHeaders, 'x-ms-client-request-id': requestId };
    if (this.tokens) {
      try {
        headers.authorization = `Bearer ${await this.tokens.token()}`;
      } catch (error) {
        return { kind: 'credential', message: errorMessage(error) };
      }
    }
    const timeout = AbortSignal.timeout(this.timeoutInMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      // `manual`: a redirect is a misconfigured URL, and following it could carry the key to another host.
      const response = await fetch(this.endpointUrl, {
        method: 'POST',
        headers,
        body,
        signal: combined,
        redirect: 'manual',
      });
      // The timeout covers the body too: a server that sends headers and then stalls is as unavailable as a silent one.
      const text = await readCapped(response, maxResponseBytes);
      if (text === undefined) return { kind: 'too-large', status: response.status };
      return { kind: 'answer', status: response.status, text, headers: response.headers };
    } catch (error) {
      if (signal?.aborted) return { kind: 'aborted' };
      if (timeout.aborted) return { kind: 'timeout' };
      return { kind: 'network', message: networkMessage(error) };
    }
  }
}

/** The body as text, or undefined (and the connection dropped) as soon as it is longer than `maxBytes`. */
async function readCapped(response: Response, maxBytes: number): Promise<string | undefined> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    return undefined;
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for await (const chunk of response.body) {
    bytes += chunk.byteLength;
    if (bytes > maxBytes) {
      await response.body.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, bytes).toString('utf8');
}

function outcomesFor(count: number, failure: Failure): ScoreOutcome[] {
  return Array.from({ length: count }, () => ({ ok: false as const, error: { ...failure } }));
}

/** undici reports `fetch failed` and hides the useful part (ECONNRESET, ECONNREFUSED, other side closed) in `cause`. */
function networkMessage(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const detail = cause
    ? [cause.code, cause.message].filter((part) => typeof part === 'string' && part !== '').join(' ')
    : '';
  return detail ? `${errorMessage(error)} (${detail})` : errorMessage(error);
}

function positive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value))
    throw new MrmError('configuration', 'CONFIG.AML_SCORER', `${name} must be a positive number, got ${value}`);
  return value;
}

function wholeNumber(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new MrmError('configuration', 'CONFIG.AML_SCORER', `${name} must be a whole number >= ${min}, got ${value}`);
  }
  return value;
}
