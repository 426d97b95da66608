import {
  metrics as otelMetrics,
  type Counter,
  type Histogram,
  type Meter,
  type MeterProvider,
} from '@opentelemetry/api';
import { METER_NAME, METRICS, type MetricKey } from '../telemetry/monitoring.js';
import type { Settings } from '../config/settings.js';
import { errorMessage } from '../errors.js';
import type { MetricsPort } from '../telemetry/metricsPort.js';

/**
 * OpenTelemetry-backed MetricsPort. Instruments are created once per provider. Metrics carry no attributes on
 * purpose: Azure Monitor alerts only on dimensionless custom metrics unless custom-metric dimensions are enabled.
 */
export class OtelMetrics implements MetricsPort {
  private meterOfProvider: Meter | undefined;
  private readonly counters = new Map<MetricKey, Counter>();
  private readonly histograms = new Map<MetricKey, Histogram>();

  /** Without a provider, the global one is looked up at first use: OpenTelemetry has no proxy for metrics, so a meter
   * taken before `useAzureMonitor` registers its provider would stay a no-op forever. */
  constructor(private readonly provider?: MeterProvider) {}

  private get meter(): Meter {
    this.meterOfProvider ??= (this.provider ?? otelMetrics.getMeterProvider()).getMeter(METER_NAME);
    return this.meterOfProvider;
  }

  count(metric: MetricKey, value: number): void {
    let counter = this.counters.get(metric);
    if (!counter) {
      counter = this.meter.createCounter(METRICS[metric]);
      this.counters.set(metric, counter);
    }
    counter.add(value);
  }

  observe(metric: MetricKey, value: number): void {
    if (!Number.isFinite(value)) return;
    let histogram = this.histograms.get(metric);
    if (!histogram) {
      histogram = this.meter.createHistogram(METRICS[metric]);
      this.histograms.set(metric, histogram);
    }
    histogram.record(value);
  }
}

let started: Promise<void> | undefined;

/**
 * The one telemetry start-up of every function: before any metrics port is used (meters taken from the global provider
 * before it is registered would stay no-ops). It never rejects: without telemetry the function still runs, and says so.
 */
export function startFunctionTelemetry(
  core: Settings['core'],
  onError: (message: string) => void = (message) => console.error(message),
): Promise<void> {
  return startTelemetry(core.appInsightsConnectionString, {
    authenticationString: core.appInsightsAuthentication,
    clientId: core.managedIdentityClientId,
  }).catch((error: unknown) => onError(`Telemetry not started: ${errorMessage(error)}`));
}

/**
 * Starts export to Application Insights once per process when a connection string is set; otherwise metrics go
 * nowhere (the API's no-op provider). Loaded lazily so cold start without App Insights stays small.
 */
export function startTelemetry(
  connectionString: string | undefined,
  authentication: { authenticationString?: string | undefined; clientId?: string | undefined } = {},
): Promise<void> {
  if (!connectionString) return Promise.resolve();
  started ??= Promise.all([import('@azure/monitor-opentelemetry'), import('@azure/identity')]).then(
    ([{ useAzureMonitor }, { ManagedIdentityCredential }]) => {
      // With local auth disabled, App Insights only takes Entra-authenticated telemetry (`Authorization=AAD;ClientId=…`).
      const clientId = entraClientId(authentication.authenticationString) ?? authentication.clientId;
      const credential = authentication.authenticationString
        ? clientId
          ? new ManagedIdentityCredential({ clientId })
          : new ManagedIdentityCredential()
        : undefined;
      useAzureMonitor({ azureMonitorExporterOptions: { connectionString, ...(credential ? { credential } : {}) } });
    },
  );
  return started;
}

/** The client id of `Authorization=AAD;ClientId=<id>`, if any. */
export function entraClientId(authenticationString: string | undefined): string | undefined {
  const match = /(?:^|;)\s*ClientId=([^;]+)/i.exec(authenticationString ?? '');
  return match?.[1]?.trim();
}

/** Pushes buffered metrics out (timer functions end before the periodic export would run). */
export async function flushTelemetry(): Promise<void> {
  const provider = otelMetrics.getMeterProvider() as MeterProvider & { forceFlush?: () => Promise<void> };
  await provider.forceFlush?.();
}
