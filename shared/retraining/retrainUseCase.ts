import type { Failure } from '../errors.js';
import { captureWindowEndingAt, capturePrefix } from './captureWindow.js';
import { ClaimLedger } from './claimLedger.js';
import { CooldownGate } from './cooldownGate.js';
import { decideRetrain, ruleToRead, type RetrainPlan, type RetrainPolicy } from './decideRetrain.js';
import { ExactlyOnceSubmitter, duplicateOf } from './exactlyOnceSubmitter.js';
import { fillJobTemplate, type JobTemplateValues } from './jobTemplate.js';
import type { Clock, RetrainSubmitter, RuleTagReader, RuleTagsOutcome, StateStore, TemplateSource } from './ports.js';
import { parseRetrainPayload } from './retrainPayload.js';
import type { RetrainOutcome } from './retrainOutcome.js';

/** The settings the use case reads (from the retraining, drift and scoring sections). */
export interface RetrainOptions extends RetrainPolicy {
  cooldownInHours: number;
  claimLeaseInSeconds: number;
  captureDays: number;
  captureContainer: string;
  captureNameFormat: string;
  captureNamespace: string | undefined;
  eventsHub: string;
  scoredHub: string;
  /** Record what would be submitted instead of submitting; kept apart from live claims and cooldowns. */
  dryRun: boolean;
}

export interface RetrainDependencies {
  options: RetrainOptions;
  state: StateStore;
  submitter: RetrainSubmitter;
  templates: TemplateSource;
  /** Reads alert rules' tags; undefined where ARM is out of reach (routing then uses the name pattern only). */
  ruleTags: RuleTagReader | undefined;
  clock: Clock;
}

/**
 * The story of one retraining request: read the payload, gather what the decision needs, decide (decideRetrain),
 * fill the job template, then submit exactly once. Bad input is answered before anything is read or written.
 */
export function createRetrainUseCase(deps: RetrainDependencies): (body: unknown) => Promise<RetrainOutcome> {
  const { options, clock } = deps;
  const prefix = options.dryRun ? 'dry-run/' : 'live/';
  const leaseInMs = options.claimLeaseInSeconds * 1000;
  const ledger = new ClaimLedger(deps.state, clock, leaseInMs, prefix);
  const cooldowns = new CooldownGate(
    deps.state,
    clock,
    options.cooldownInHours * 3_600_000,
    leaseInMs,
    deps.submitter,
    prefix,
  );
  const exactlyOnce = new ExactlyOnceSubmitter(ledger, cooldowns, deps.submitter, options);

  return async function retrain(body) {
    const parsed = parseRetrainPayload(body);
    if (!parsed.ok) return { kind: 'bad_input', failure: parsed.error };
    const payload = parsed.value;

    const now = new Date(clock.nowInMs());
    const rule = ruleToRead(payload);
    const ruleTags: RuleTagsOutcome | undefined = rule && deps.ruleTags ? await deps.ruleTags.tagsOf(rule) : undefined;
    let decision = decideRetrain(payload, { now, ruleTags, earlier: undefined }, options);
    // The claim is read only for a request that would submit: no other answer depends on storage.
    if (decision.kind === 'submit') {
      const earlier = await ledger.peek(decision.plan.claimKey);
      if (earlier) decision = decideRetrain(payload, { now, ruleTags, earlier }, options);
    }
    switch (decision.kind) {
      case 'no_action':
        return decision;
      case 'duplicate':
        return duplicateOf(decision, decision.record);
      case 'tags_unavailable':
        return {
          kind: 'retry_later',
          subject: decision.subject,
          claimKey: undefined,
          code: 'RETRAIN.RULE_TAGS_UNAVAILABLE',
          message: `Could not read alert rule ${decision.ruleId}: ${decision.message}`,
          reason: decision.message,
          retryAfterInSeconds: 30,
        };
      case 'refused':
        return { kind: 'config_error', subject: decision.subject, claimKey: undefined, failure: decision.failure };
      case 'submit':
        break;
    }
    const { plan } = decision;

    // Build the request before claiming: a broken template is answered without leaving a claim behind.
    const failed = (failure: Failure): RetrainOutcome => ({
      kind: 'config_error',
      subject: plan.subject,
      claimKey: plan.claimKey,
      failure,
    });
    const loaded = await deps.templates.load(plan.subject.model);
    if (!loaded.ok) return failed(loaded.error);
    const values = jobTemplateValues(plan, options, new Date(clock.nowInMs()));
    const filled = fillJobTemplate(loaded.value.template, values, loaded.value.source);
    if (!filled.ok) return failed({ ...filled.error, detail: { setting: 'MRM_RETRAIN_JOB_TEMPLATE' } });
    return exactlyOnce.submit(plan, filled.value);
  };
}

function jobTemplateValues(plan: RetrainPlan, options: RetrainOptions, now: Date): JobTemplateValues {
  const { subject } = plan;
  const window = captureWindowEndingAt(plan.windowEnd, options.captureDays);
  const prefixOf = (eventHub: string) =>
    capturePrefix(options.captureNameFormat, { namespace: options.captureNamespace, eventHub });
  return {
    jobName: plan.jobName,
    model: subject.model,
    reason: plan.reason,
    magnitude: subject.magnitude === null ? '' : String(subject.magnitude),
    features: plan.features.join(','),
    featuresJson: JSON.stringify(plan.features),
    alertId: subject.alertId ?? '',
    alertRule: subject.rule ?? '',
    claimKey: plan.claimKey,
    triggeredAt: now.toISOString(),
    captureContainer: options.captureContainer,
    capturePrefix: prefixOf(options.eventsHub),
    scoredCapturePrefix: prefixOf(options.scoredHub),
    captureWindowStart: window.start,
    captureWindowEnd: window.end,
    captureDays: String(options.captureDays),
  };
}
