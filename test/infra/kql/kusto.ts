import { createRequire } from 'node:module';

/**
 * Microsoft's Kusto language service (@kusto/language-service-next, the parser and analyzer the Azure portal uses),
 * against a schema of the tables our queries read: a query that would fail in Azure (syntax, an unknown table, column
 * or function, a type error) fails here, before deployment.
 */
const require = createRequire(import.meta.url);
require('@kusto/language-service-next/bridge.min.js');
require('@kusto/language-service-next/Kusto.Language.Bridge.min.js');

interface Diagnostic {
  Severity: string;
  Code: string;
  Message: string;
  Start: number;
  Length: number;
}
interface KustoLanguage {
  Symbols: {
    TableSymbol: { $ctor7: new (name: string, schema: string, description: string) => { Columns: { Count: number } } };
    DatabaseSymbol: { $ctor2: new (name: string, alternateName: string | null, members: unknown[]) => unknown };
  };
  GlobalState: { Default: { WithDatabase(database: unknown): unknown } };
  KustoCode: {
    ParseAndAnalyze(
      text: string,
      globals: unknown,
    ): {
      GetDiagnostics(): { Count: number; getItem(i: number): Diagnostic };
    };
  };
}
const Kusto = (globalThis as unknown as { Kusto: { Language: KustoLanguage } }).Kusto.Language;

/** Table name to its columns, `(column:type, ...)`. */
export type Schema = Record<string, string>;

const common =
  'operation_Name:string, operation_Id:string, operation_ParentId:string, cloud_RoleName:string, ' +
  'cloud_RoleInstance:string, appId:string, appName:string, iKey:string, sdkVersion:string, itemId:string, ' +
  'itemType:string, itemCount:int, customDimensions:dynamic';

/** Application Insights tables, as queries scoped to the App Insights resource see them (log alerts, the workbook). */
export const APP_INSIGHTS: Schema = {
  customMetrics: `(timestamp:datetime, name:string, value:real, valueCount:int, valueSum:real, valueMin:real, valueMax:real, valueStdDev:real, ${common})`,
  traces: `(timestamp:datetime, message:string, severityLevel:int, ${common})`,
  requests: `(timestamp:datetime, id:string, name:string, url:string, success:bool, resultCode:string, duration:real, performanceBucket:string, source:string, ${common})`,
};

/** The same telemetry in the Log Analytics workspace (weeklyDrift queries the workspace). */
export const WORKSPACE: Schema = {
  AppMetrics:
    '(TimeGenerated:datetime, Name:string, Sum:real, Min:real, Max:real, ItemCount:int, Properties:dynamic, AppRoleName:string, AppRoleInstance:string, OperationName:string, OperationId:string, ResourceGUID:string, _ResourceId:string)',
  AppTraces:
    '(TimeGenerated:datetime, Message:string, SeverityLevel:int, Properties:dynamic, AppRoleName:string, AppRoleInstance:string, OperationName:string, OperationId:string, _ResourceId:string)',
};

/** Azure Resource Graph (the workbook's alert history). */
export const RESOURCE_GRAPH: Schema = {
  alertsmanagementresources:
    '(id:string, name:string, type:string, tenantId:string, ["kind"]:string, location:string, resourceGroup:string, subscriptionId:string, managedBy:string, sku:dynamic, plan:dynamic, properties:dynamic, tags:dynamic, identity:dynamic, zones:dynamic, extendedLocation:dynamic)',
};

const globalsBySchema = new Map<Schema, unknown>();

function globalsOf(schema: Schema): unknown {
  let globals = globalsBySchema.get(schema);
  if (!globals) {
    const tables = Object.entries(schema).map(
      ([name, columns]) => new Kusto.Symbols.TableSymbol.$ctor7(name, columns, ''),
    );
    globals = Kusto.GlobalState.Default.WithDatabase(new Kusto.Symbols.DatabaseSymbol.$ctor2('db', null, tables));
    globalsBySchema.set(schema, globals);
  }
  return globals;
}

/** Every diagnostic (error or warning) of a query against a schema, as `Severity Code at "text": message`. */
export function kqlProblems(query: string, schema: Schema): string[] {
  const diagnostics = Kusto.KustoCode.ParseAndAnalyze(query, globalsOf(schema)).GetDiagnostics();
  const problems: string[] = [];
  for (let i = 0; i < diagnostics.Count; i++) {
    const d = diagnostics.getItem(i);
    if (d.Severity === 'Suggestion' || d.Severity === 'Information') continue;
    problems.push(
      `${d.Severity} ${d.Code} at "${query.slice(d.Start, d.Start + Math.max(d.Length, 1))}": ${d.Message}`,
    );
  }
  return problems;
}
