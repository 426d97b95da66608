import {
  LogsQueryClient,
  LogsQueryResultStatus,
  type LogsQueryClientOptions,
  type LogsTable,
} from '@azure/monitor-query-logs';
import type { TokenCredential } from '@azure/identity';
import { errorMessage, fail, ok, type Result } from '../errors.js';
import type { DriftWindow } from '../drift/run/driftWindow.js';
import type { ScoringTelemetry, ScoringTelemetrySource } from '../drift/run/ports.js';
import { readScoringTelemetry, scoringTelemetryKql, type MetricTotal } from '../drift/run/scoringTelemetryQuery.js';

/**
 * The week's scoring telemetry from a Log Analytics workspace (AppMetrics), with @azure/monitor-query-logs. It only
 * enriches the report, so every failure (no access, throttling, a partial result) becomes a value the report shows.
 */
export class LogAnalyticsTelemetry implements ScoringTelemetrySource {
  readonly description: string;
  private readonly client: LogsQueryClient;

  constructor(
    private readonly workspaceId: string,
    credential: TokenCredential,
    options: LogsQueryClientOptions = {},
  ) {
    this.description = `log-analytics:${workspaceId}`;
    this.client = new LogsQueryClient(credential, { retryOptions: { maxRetries: 2 }, ...options });
  }

  async weekTelemetry(window: DriftWindow): Promise<Result<ScoringTelemetry>> {
    let result;
    try {
      result = await this.client.queryWorkspace(
        this.workspaceId,
        scoringTelemetryKql(),
        { startTime: new Date(window.fromInMs), endTime: new Date(window.toInMs) },
        { serverTimeoutInSeconds: 120 },
      );
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      const forbidden = status === 401 || status === 403;
      return fail(
        forbidden ? 'configuration' : 'transient',
        forbidden ? 'TELEMETRY.FORBIDDEN' : 'TELEMETRY.QUERY_FAILED',
        `Log Analytics query failed${status ? ` (HTTP ${status})` : ''}: ${errorMessage(error)}`,
        status ? { status } : undefined,
      );
    }
    if (result.status === LogsQueryResultStatus.PartialFailure) {
      return fail(
        'transient',
        'TELEMETRY.PARTIAL',
        `Log Analytics returned a partial result: ${result.partialError.message ?? result.partialError.code ?? ''}`,
      );
    }
    const rows = result.status === LogsQueryResultStatus.Success ? metricTotals(result.tables[0]) : undefined;
    if (!rows)
      return fail(
        'bug',
        'TELEMETRY.UNEXPECTED',
        'Log Analytics returned no table with Name, Total and Samples columns',
      );
    return ok(readScoringTelemetry(rows));
  }
}

function metricTotals(table: LogsTable | undefined): MetricTotal[] | undefined {
  if (!table) return undefined;
  const column = (name: string): number => table.columnDescriptors.findIndex((c) => c.name === name);
  const [name, total, samples] = [column('Name'), column('Total'), column('Samples')];
  if (name < 0 || total < 0 || samples < 0) return undefined;
  return table.rows.map((row) => ({
    name: String(row[name]),
    total: Number(row[total]) || 0,
    samples: Number(row[samples]) || 0,
  }));
}
