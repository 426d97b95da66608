import { describe, expect, it } from 'vitest';
import { scoringTelemetryKql } from '../../../shared/drift/run/scoringTelemetryQuery.js';
import { BicepFile, BicepScope } from '../bicepProgram.js';
import { deployedWorkbook } from '../workbookOf.js';
import { APP_INSIGHTS, RESOURCE_GRAPH, WORKSPACE, kqlProblems, type Schema } from './kusto.js';

// Every KQL query infra deploys or the app sends, parsed and analysed by Microsoft's Kusto language service against
// the schema of the tables it reads: syntax errors, unknown tables, columns and functions fail here, not in Azure.
const main = new BicepScope(new BicepFile('infra/main.bicep'), { environmentName: () => 'dev' });
const alerts = main.module('alerts');
const alertQueries = alerts.file
  .resources()
  .filter((r) => r.type === 'Microsoft.Insights/scheduledQueryRules')
  .map((rule) => {
    const body = alerts.evaluate(rule.body) as { properties: { criteria: { allOf: { query: string }[] } } };
    return [`alert ${rule.symbol}`, body.properties.criteria.allOf[0]!.query, APP_INSIGHTS] as const;
  });
const workbookQueries = deployedWorkbook().queries.map(
  (q) => [`workbook ${q.name}`, q.query, q.queryType === 1 ? RESOURCE_GRAPH : APP_INSIGHTS] as const,
);
const appQueries = [['weeklyDrift scoring telemetry', scoringTelemetryKql(), WORKSPACE] as const];

describe('KQL', () => {
  it('finds every query: the log alerts, the workbook panels and the app’s own', () => {
    expect(alertQueries.length).toBe(3);
    expect(workbookQueries.length).toBe(11);
  });

  it.each([...alertQueries, ...workbookQueries, ...appQueries])(
    '%s parses and names only known columns',
    (_n, query, schema: Schema) => {
      expect(kqlProblems(query, schema)).toEqual([]);
    },
  );

  it('the checker itself fails on a syntax error, an unknown column or table, and a type error', () => {
    expect(kqlProblems("customMetrics | where name == 'x' |", APP_INSIGHTS)).toEqual([
      expect.stringMatching(/^Error KS\d+ at "": Query operator expected/),
    ]);
    expect(kqlProblems("customMetrics | where nam == 'x'", APP_INSIGHTS)).toEqual([
      expect.stringMatching(/^Error KS142 at "nam": The name 'nam' does not refer to any known column/),
    ]);
    expect(kqlProblems('customMetric | take 1', APP_INSIGHTS)[0]).toMatch(/does not refer to any known table/);
    expect(kqlProblems('AppMetrics | take 1', APP_INSIGHTS)[0]).toMatch(/does not refer to any known table/);
    expect(kqlProblems('customMetrics | where valueSum > "x" and name', APP_INSIGHTS).length).toBeGreaterThan(0);
  });
});
