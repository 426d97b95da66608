import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { fail, ok, type Failure, type Result } from '../errors.js';
import { MODEL_NAME_PATTERN } from './modelName.js';
import { parseIsoTime } from '../time/parseIsoTime.js';

/** What a retraining request says, whichever way it arrived. */
export type RetrainPayload = AlertPayload | DirectPayload;

/** An Azure Monitor alert in the common alert schema. */
export interface AlertPayload {
  kind: 'alert';
  alertId: string;
  /** The rule's name. */
  rule: string;
  /** The rule's ARM id when the payload carries it (essentials.alertRuleID) or it can be rebuilt from originAlertId. */
  ruleId: string | undefined;
  signalType: string;
  monitoringService: string;
  monitorCondition: 'Fired' | 'Resolved';
  firedDateTime: string;
  /** `metric` and `log` (Log Alerts V2) are acted on; anything else is acknowledged and ignored. */
  family: 'metric' | 'log' | 'other';
  conditionType: string | undefined;
  /** The measured value of the first criterion that has one (metricValue), or null. */
  value: number | null;
  metricName: string | null;
  operator: string | null;
  threshold: string | null;
  /** Values of dimensions named `feature` or `features`, if the rule splits by feature. */
  features: string[];
}

/** The direct payload users and scripts send. */
export interface DirectPayload {
  kind: 'direct';
  magnitude: number;
  features: string[];
  reason: string | undefined;
  model: string | undefined;
}

export const PAYLOAD_CODES = {
  notObject: 'WEBHOOK.NOT_OBJECT',
  invalid: 'WEBHOOK.INVALID_PAYLOAD',
  unsupportedSchema: 'WEBHOOK.UNSUPPORTED_SCHEMA',
} as const;

const COMMON_SCHEMA_ID = 'azureMonitorCommonAlertSchema';
const METRIC_CONDITIONS = new Set([
  'SingleResourceMultipleMetricCriteria',
  'MultipleResourceMultipleMetricCriteria',
  'DynamicThresholdCriteria',
  'WebtestLocationAvailabilityCriteria',
]);
/**
 * A feature name as a retraining request may carry it. Names end up in job inputs, tags and commands (the example's
 * is run by a shell), so quotes, backslashes, `$`, backticks, `;`, `|`, `&`, `<`, `>`, commas and control
 * characters are refused; letters of any script, digits, spaces and `_ . - ( ) % / +` cover the names training data
 * use (scikit-learn's "sepal length (cm)" among them).
 */
export const FEATURE_NAME_PATTERN = /^[\p{L}\p{N}_.()%/+-][\p{L}\p{N}_.()%/+ -]{0,255}$/u;
const FEATURE_NAME_RULE = 'letters, digits, spaces and _ . - ( ) % / +, at most 256';

const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength });
const nullableText = { type: ['string', 'null'], maxLength: 4096 };
const dimension = {
  type: 'object',
  required: ['name', 'value'],
  properties: { name: { type: 'string' }, value: { type: ['string', 'number', 'boolean', 'null'] } },
};

const directSchema = {
  type: 'object',
  required: ['drift_magnitude', 'features'],
  additionalProperties: false,
  properties: {
    drift_magnitude: { type: 'number', minimum: 0 },
    features: { type: 'array', maxItems: 10_000, items: { type: 'string', pattern: FEATURE_NAME_PATTERN.source } },
    reason: { type: 'string', maxLength: 2000 },
    model: { type: 'string', pattern: MODEL_NAME_PATTERN.source },
  },
};

const essentialsSchema = {
  type: 'object',
  required: ['schemaId', 'data'],
  properties: {
    schemaId: { type: 'string' },
    data: {
      type: 'object',
      required: ['essentials'],
      properties: {
        essentials: {
          type: 'object',
          required: ['alertId', 'alertRule', 'signalType', 'monitorCondition', 'firedDateTime'],
          properties: {
            alertId: text(2048),
            alertRule: text(1024),
            alertRuleID: nullableText,
            alertRuleId: nullableText,
            signalType: text(64),
            monitorCondition: { enum: ['Fired', 'Resolved'] },
            monitoringService: nullableText,
            originAlertId: nullableText,
            firedDateTime: text(64),
            resolvedDateTime: nullableText,
            alertTargetIDs: { type: ['array', 'null'], items: { type: 'string' } },
          },
        },
        alertContext: { type: ['object', 'null'] },
        customProperties: { type: ['object', 'null'] },
      },
    },
  },
};

// Only what we read is required: Azure adds fields over time, and an alert we cannot act on is still acknowledged.
const criteriaContextSchema = {
  type: 'object',
  required: ['condition'],
  properties: {
    conditionType: { type: 'string' },
    condition: {
      type: 'object',
      required: ['allOf'],
      properties: {
        allOf: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            properties: {
              metricName: nullableText,
              metricMeasureColumn: nullableText,
              metricValue: { type: ['number', 'null'] },
              operator: nullableText,
              threshold: { type: ['string', 'number', 'null'] },
              dimensions: { type: ['array', 'null'], items: dimension },
            },
          },
        },
        windowStartTime: nullableText,
        windowEndTime: nullableText,
      },
    },
  },
};

const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
const validateDirect = ajv.compile(directSchema);
const validateEssentials = ajv.compile(essentialsSchema);
const validateCriteria = ajv.compile(criteriaContextSchema);

/**
 * Reads a parsed JSON body as the common alert schema (when it has `schemaId`) or the direct payload. Failures name
 * the offending field, in the dotted form of the payload (`data.essentials.monitorCondition`).
 */
export function parseRetrainPayload(body: unknown): Result<RetrainPayload> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return fail(
      'bad-input',
      PAYLOAD_CODES.notObject,
      `Body must be a JSON object, got ${body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body}`,
    );
  }
  if ('schemaId' in body) return parseAlert(body);
  return parseDirect(body);
}

function parseDirect(body: object): Result<DirectPayload> {
  if (!validateDirect(body)) {
    return schemaFailure(
      validateDirect,
      '',
      'Invalid direct payload {drift_magnitude: number, features: string[], reason?: string, model?: string}',
    );
  }
  const payload = body as { drift_magnitude: number; features: string[]; reason?: string; model?: string };
  return ok({
    kind: 'direct',
    magnitude: payload.drift_magnitude,
    features: payload.features,
    reason: payload.reason,
    model: payload.model,
  });
}

interface Essentials {
  alertId: string;
  alertRule: string;
  alertRuleID?: string | null;
  alertRuleId?: string | null;
  signalType: string;
  monitorCondition: 'Fired' | 'Resolved';
  monitoringService?: string | null;
  originAlertId?: string | null;
  firedDateTime: string;
}

interface Criterion {
  metricName?: string | null;
  metricMeasureColumn?: string | null;
  metricValue?: number | null;
  operator?: string | null;
  threshold?: string | number | null;
  dimensions?: { name: string; value: unknown }[] | null;
}

function parseAlert(body: object): Result<AlertPayload> {
  const schemaId = (body as { schemaId: unknown }).schemaId;
  if (schemaId !== COMMON_SCHEMA_ID) {
    return fail(
      'bad-input',
      PAYLOAD_CODES.unsupportedSchema,
      `schemaId ${JSON.stringify(schemaId)} is not supported: enable the common alert schema on the action group's webhook (useCommonAlertSchema: true), schemaId "${COMMON_SCHEMA_ID}"`,
      { field: 'schemaId' },
    );
  }
  if (!validateEssentials(body)) return schemaFailure(validateEssentials, '', 'Invalid common alert schema payload');
  const data = (body as { data: { essentials: Essentials; alertContext?: Record<string, unknown> | null } }).data;
  const essentials = data.essentials;
  if (parseIsoTime(essentials.firedDateTime) === undefined) {
    return fail(
      'bad-input',
      PAYLOAD_CODES.invalid,
      `Invalid common alert schema payload: data.essentials.firedDateTime must be an ISO 8601 UTC date-time, got ${JSON.stringify(essentials.firedDateTime)}`,
      {
        field: 'data.essentials.firedDateTime',
      },
    );
  }
  const context = data.alertContext ?? undefined;
  const conditionType = typeof context?.conditionType === 'string' ? context.conditionType : undefined;
  const family = familyOf(essentials.signalType, conditionType);

  let criteria: Criterion[] = [];
  // A resolved alert needs no context; a fired one we act on must say what was measured.
  if (family !== 'other' && essentials.monitorCondition === 'Fired') {
    if (!validateCriteria(context))
      return schemaFailure(validateCriteria, 'data.alertContext', 'Invalid common alert schema payload');
    criteria = (context as unknown as { condition: { allOf: Criterion[] } }).condition.allOf;
  }
  const measured = criteria.find((c) => typeof c.metricValue === 'number') ?? criteria[0];
  const features = featuresOf(criteria);
  if (!features.ok) return features;
  return ok({
    kind: 'alert',
    alertId: essentials.alertId,
    rule: essentials.alertRule,
    ruleId:
      (essentials.alertRuleID ?? essentials.alertRuleId ?? undefined) ||
      ruleIdFromOrigin(essentials.originAlertId, essentials.alertRule),
    signalType: essentials.signalType,
    monitoringService: essentials.monitoringService ?? '',
    monitorCondition: essentials.monitorCondition,
    firedDateTime: essentials.firedDateTime,
    family,
    conditionType,
    value: typeof measured?.metricValue === 'number' ? measured.metricValue : null,
    metricName: measured?.metricName ?? measured?.metricMeasureColumn ?? null,
    operator: measured?.operator ?? null,
    threshold: measured?.threshold === undefined || measured.threshold === null ? null : String(measured.threshold),
    features: features.value,
  });
}

function familyOf(signalType: string, conditionType: string | undefined): AlertPayload['family'] {
  if (signalType === 'Metric' && (conditionType === undefined || METRIC_CONDITIONS.has(conditionType))) return 'metric';
  // Log Alerts V2 (scheduledQueryRules 2021-08-01 and later); older log alert payloads have no criteria to read.
  if (signalType === 'Log' && conditionType === 'LogQueryCriteria') return 'log';
  return 'other';
}

function featuresOf(criteria: Criterion[]): Result<string[]> {
  const features = new Set<string>();
  for (const [c, criterion] of criteria.entries()) {
    for (const [k, d] of (criterion.dimensions ?? []).entries()) {
      if (!/^features?$/i.test(d.name) || d.value === null || d.value === undefined) continue;
      for (const raw of String(d.value).split(',')) {
        const name = raw.trim();
        if (name === '') continue;
        if (!FEATURE_NAME_PATTERN.test(name)) {
          const field = `data.alertContext.condition.allOf[${c}].dimensions[${k}].value`;
          return fail(
            'bad-input',
            PAYLOAD_CODES.invalid,
            `Invalid common alert schema payload: ${field} must be feature names (${FEATURE_NAME_RULE})`,
            { field },
          );
        }
        features.add(name);
      }
    }
  }
  return ok([...features]);
}

// Metric alerts' originAlertId reads `<subscription>_<resourceGroup>_microsoft.insights_metricAlerts_<rule>_<hash>`.
const ORIGIN =
  /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})_(.+)_microsoft\.insights_(metricalerts|scheduledqueryrules)_(.+)_-?\d+$/i;

function ruleIdFromOrigin(originAlertId: string | null | undefined, rule: string): string | undefined {
  const match = originAlertId ? ORIGIN.exec(originAlertId) : null;
  if (!match || match[4] !== rule) return undefined;
  const type = match[3]!.toLowerCase() === 'metricalerts' ? 'metricAlerts' : 'scheduledQueryRules';
  return `/subscriptions/${match[1]}/resourceGroups/${match[2]}/providers/Microsoft.Insights/${type}/${rule}`;
}

function schemaFailure(validate: ValidateFunction, prefix: string, what: string): { ok: false; error: Failure } {
  const error = validate.errors?.[0];
  if (!error) return fail('bad-input', PAYLOAD_CODES.invalid, `${what}.`);
  const field = fieldOf(error, prefix);
  return fail('bad-input', PAYLOAD_CODES.invalid, `${what}: ${describeError(error, field)}`, { field });
}

function fieldOf(error: ErrorObject, prefix: string): string {
  const parts = error.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') parts.push(String(error.params.missingProperty));
  if (error.keyword === 'additionalProperties') parts.push(String(error.params.additionalProperty));
  let path = prefix;
  for (const part of parts) path = /^\d+$/.test(part) ? `${path}[${part}]` : path === '' ? part : `${path}.${part}`;
  return path === '' ? '(body)' : path;
}

function describeError(error: ErrorObject, field: string): string {
  switch (error.keyword) {
    case 'required':
      return `${field} is required`;
    case 'additionalProperties':
      return `${field} is not a known field`;
    case 'enum':
      return `${field} must be one of ${(error.params.allowedValues as unknown[]).join(', ')}`;
    case 'type':
      return `${field} must be ${String(error.params.type).replace(/,/g, ' or ')}`;
    case 'pattern':
      return error.params.pattern === FEATURE_NAME_PATTERN.source
        ? `${field} must be a feature name (${FEATURE_NAME_RULE})`
        : `${field} must be a model name (letters, digits, ., _ and -, at most 63)`;
    default:
      return `${field} ${error.message ?? 'is invalid'}`;
  }
}
