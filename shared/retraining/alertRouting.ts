import { fail, ok, type Result } from '../errors.js';
import { isModelName } from './modelName.js';
import { compileRulePattern } from './rulePattern.js';
import type { RuleTagsOutcome } from './ports.js';

export interface RoutingOptions {
  /** Rule-name patterns of the rules this deployment owns (MRM_RETRAIN_RULE_PATTERN, see rulePattern.ts). */
  rulePattern: string;
  /** Tag naming the model (MRM_RETRAIN_MODEL_TAG). */
  modelTag: string;
  defaultModel: string;
}

export type Route = { kind: 'retrain'; model: string; via: string } | { kind: 'ignore'; reason: string };

/**
 * Decides whether an alert rule belongs to this deployment and which model it concerns: a rule is ours when its name
 * matches the pattern or it carries the model tag; the tag names the model, otherwise the default model.
 */
export function routeAlert(rule: string, tags: RuleTagsOutcome | undefined, options: RoutingOptions): Result<Route> {
  const tagValue = tags?.kind === 'found' ? tagOf(tags.tags, options.modelTag) : undefined;
  if (tagValue !== undefined) {
    if (!isModelName(tagValue)) {
      return fail(
        'configuration',
        'RETRAIN.BAD_MODEL_TAG',
        `Alert rule "${rule}" has tag ${options.modelTag}=${JSON.stringify(tagValue)}, which is not a model name (letters, digits, ., _ and -, at most 63): fix the tag`,
        { setting: 'MRM_RETRAIN_MODEL_TAG' },
      );
    }
    return ok({ kind: 'retrain', model: tagValue, via: `tag ${options.modelTag}` });
  }
  const matcher = compileRulePattern(options.rulePattern);
  if (!matcher.ok)
    return fail('configuration', 'CONFIG.INVALID', `MRM_RETRAIN_RULE_PATTERN: ${matcher.error}`, {
      setting: 'MRM_RETRAIN_RULE_PATTERN',
    });
  if (matcher.value(rule)) {
    return ok({ kind: 'retrain', model: options.defaultModel, via: `rule name matches "${options.rulePattern}"` });
  }
  const why = tags?.kind === 'unavailable' ? ` (its tags could not be read: ${tags.reason})` : '';
  return ok({
    kind: 'ignore',
    reason: `Alert rule "${rule}" is not one of this deployment's: its name does not match MRM_RETRAIN_RULE_PATTERN "${options.rulePattern}" and it has no ${options.modelTag} tag${why}`,
  });
}

// ARM preserves tag name case but compares case-insensitively.
function tagOf(tags: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(tags).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : tags[key];
}
