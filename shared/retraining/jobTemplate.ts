import { fail, ok, type Result } from '../errors.js';

/** Values a job template may use as `{{name}}`. Every value is text: Azure ML literal inputs and tags are strings. */
export interface JobTemplateValues {
  jobName: string;
  model: string;
  reason: string;
  /** The measured value (drift magnitude or the alert's metric value); empty when the alert carried none. */
  magnitude: string;
  /** Drifted features, comma-separated. */
  features: string;
  /** Drifted features as a JSON array, for commands that parse it. */
  featuresJson: string;
  alertId: string;
  alertRule: string;
  claimKey: string;
  triggeredAt: string;
  captureContainer: string;
  /** Capture blob prefix of the events hub (model inputs). */
  capturePrefix: string;
  /** Capture blob prefix of the scored hub (predictions). */
  scoredCapturePrefix: string;
  captureWindowStart: string;
  captureWindowEnd: string;
  captureDays: string;
}

export const TEMPLATE_CODES = {
  notObject: 'RETRAIN.TEMPLATE_NOT_OBJECT',
  unknownPlaceholder: 'RETRAIN.TEMPLATE_PLACEHOLDER',
  noProperties: 'RETRAIN.TEMPLATE_NO_PROPERTIES',
} as const;

// `${{inputs.x}}` is Azure ML's own expression syntax and passes through untouched; ours is `{{name}}` without `$`.
const PLACEHOLDER = /(?<!\$)\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;

/**
 * Fills a template (parsed JSON) by substituting placeholders inside string values only, so filled text never needs
 * escaping and can never change the JSON structure. An unknown placeholder is a configuration error, named.
 */
export function fillJobTemplate(
  template: unknown,
  values: JobTemplateValues,
  source: string,
): Result<Record<string, unknown>> {
  if (typeof template !== 'object' || template === null || Array.isArray(template)) {
    return fail('configuration', TEMPLATE_CODES.notObject, `Job template ${source} must be a JSON object`);
  }
  if (
    typeof (template as Record<string, unknown>).properties !== 'object' ||
    (template as Record<string, unknown>).properties === null
  ) {
    return fail(
      'configuration',
      TEMPLATE_CODES.noProperties,
      `Job template ${source} must have a "properties" object (the ARM request body)`,
    );
  }
  const unknown = new Set<string>();
  const known = values as unknown as Record<string, string>;
  const fill = (node: unknown): unknown => {
    if (typeof node === 'string') {
      return node.replace(PLACEHOLDER, (whole, name: string) => {
        if (Object.hasOwn(known, name)) return known[name]!;
        unknown.add(name);
        return whole;
      });
    }
    if (Array.isArray(node)) return node.map(fill);
    if (typeof node === 'object' && node !== null) {
      return Object.fromEntries(
        Object.entries(node)
          .filter(([key]) => key !== '$comment')
          .map(([key, value]) => [key, fill(value)]),
      );
    }
    return node;
  };
  const filled = fill(template) as Record<string, unknown>;
  if (unknown.size > 0) {
    return fail(
      'configuration',
      TEMPLATE_CODES.unknownPlaceholder,
      `Job template ${source} uses unknown placeholder${unknown.size > 1 ? 's' : ''} ${[...unknown].map((n) => `{{${n}}}`).join(', ')}; known: ${Object.keys(known).join(', ')}`,
    );
  }
  return ok(filled);
}
