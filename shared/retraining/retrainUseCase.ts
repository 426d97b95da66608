import { routeAlert } from './alertRouting.js';
import { captureWindowEndingAt, capturePrefix } from './captureWindow.js';
import { ClaimLedger, type ClaimRecord, type HeldClaim } from './claimLedger.js';
import { alertClaimKey, directClaimKey, retrainJobName } from './claimKeys.js';
import { CooldownGate } from './cooldownGate.js';
import { fillJobTemplate, type JobTemplateValues } from './jobTemplate.js';
import type {
  AuditEntry,
  AuditLog,
  Clock,
  RetrainSubmitter,
  RuleTagReader,
  RuleTagsOutcome,
  StateStore,
  TemplateSource,
} from './ports.js';
import { parseRetrainPayload, type AlertPayload } from './retrainPayload.js';
import { errorResponse, failureResponse, retryLater, type WebhookResponse } from './webhookResponse.js';

/** The settings the decision reads (from the retraining, drift and scoring sections). */
export interface RetrainOptions {
  threshold: number;
  rulePattern: string;
  modelTag: string;
  defaultModel: string;
  cooldownInHours: number;
  dedupeWindowInMinutes: number;
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
  audit: AuditLog;
  submitter: RetrainSubmitter;
  templates: TemplateSource;
  /** Reads alert rules' tags; undefined where ARM is out of reach (routing then uses the name pattern only). */
  ruleTags: RuleTagReader | undefined;
  clock: Clock;
}

export type Log = (level: 'info' | 'warn' | 'error', message: string) => void;

interface Subject {
  source: 'alert' | 'direct';
  alertId: string | null;
  rule: string | null;
  magnitude: number | null;
  model: string | null;
}

/**
 * The story of one retraining request: read the payload, decide whether it should retrain and which model, claim it
 * (exactly once), pass the model's cooldown, submit the job named after the claim, record the decision. Every
 * decision is appended to the audit log; bad input is answered before anything is written.
 */
export function createRetrainUseCase(
  deps: RetrainDependencies,
): (body: unknown, log?: Log) => Promise<WebhookResponse> {
  const { options, clock } = deps;
  const prefix = options.dryRun ? 'dry-run/' : 'live/';
  const ledger = new ClaimLedger(deps.state, clock, options.claimLeaseInSeconds * 1000, prefix);
  const cooldowns = new CooldownGate(
    deps.state,
    clock,
    options.cooldownInHours * 3_600_000,
    options.claimLeaseInSeconds * 1000,
    deps.submitter,
    prefix,
  );

  return async function retrain(body, log = () => undefined) {
    const audit = async (
      subject: Subject,
      response: WebhookResponse,
      decision: AuditEntry['decision'],
      extra: { claimKey?: string; jobName?: string; reason: string },
    ) => {
      const entry: AuditEntry = {
        at: clock.now().toISOString(),
        decision,
        httpStatus: response.status,
        ...subject,
        claimKey: extra.claimKey ?? null,
        jobName: extra.jobName ?? null,
        dryRun: options.dryRun,
        reason: extra.reason,
      };
      try {
        await deps.audit.append(entry);
      } catch (error) {
        // The decision stands (a job may already run); losing its audit line must not make the caller retry.
        log(
          'error',
          `Audit log append failed for ${decision} ${extra.claimKey ?? ''}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      log(response.status >= 500 ? 'warn' : 'info', `retrainWebhook ${decision} (${response.status}): ${extra.reason}`);
      return response;
    };
    /** `jobName` is a job this request started; `cooledOn` the submitted job its cooldown counts from. */
    const answer = (
      subject: Subject,
      status: 200,
      decision: 'no_action_needed' | 'duplicate' | 'cooldown',
      reason: string,
      extra: { claimKey?: string; jobName?: string; cooledOn?: string } = {},
    ) =>
      audit(
        subject,
        {
          status,
          body: {
            status: decision,
            reason,
            ...(subject.model ? { model: subject.model } : {}),
            ...(extra.jobName ? { jobName: extra.jobName } : {}),
          },
        },
        decision,
        { reason, ...(extra.claimKey ? { claimKey: extra.claimKey } : {}), jobName: extra.jobName ?? extra.cooledOn },
      );

    const parsed = parseRetrainPayload(body);
    if (!parsed.ok) return failureResponse(parsed.error);
    const payload = parsed.value;

    // Decide: does this request retrain, and which model?
    let subject: Subject;
    let claimKey: string;
    let reason: string;
    let features: string[];
    let windowEnd: Date;
    if (payload.kind === 'direct') {
      const model = payload.model ?? options.defaultModel;
      subject = { source: 'direct', alertId: null, rule: null, magnitude: payload.magnitude, model };
      if (!(payload.magnitude > options.threshold)) {
        return answer(
          subject,
          200,
          'no_action_needed',
          `drift_magnitude ${payload.magnitude} does not exceed the retrain threshold ${options.threshold} (MRM_RETRAIN_THRESHOLD)`,
        );
      }
      const now = clock.now();
      claimKey = directClaimKey(payload, model, now, options.dedupeWindowInMinutes);
      reason =
        payload.reason ?? `drift_magnitude ${payload.magnitude} exceeds the retrain threshold ${options.threshold}`;
      features = payload.features;
      windowEnd = now;
    } else {
      subject = {
        source: 'alert',
        alertId: payload.alertId,
        rule: payload.rule,
        magnitude: payload.value,
        model: null,
      };
      const ignored = whyIgnored(payload);
      if (ignored) return answer(subject, 200, 'no_action_needed', ignored);
      let tags: RuleTagsOutcome | undefined;
      if (payload.ruleId && deps.ruleTags) {
        tags = await deps.ruleTags.tagsOf(payload.ruleId);
        if (tags.kind === 'retryable') {
          return audit(
            subject,
            retryLater(
              'RETRAIN.RULE_TAGS_UNAVAILABLE',
              `Could not read alert rule ${payload.ruleId}: ${tags.message}`,
              30,
            ),
            'retry_later',
            { reason: tags.message },
          );
        }
      }
      const route = routeAlert(payload.rule, tags, options);
      if (!route.ok)
        return audit(subject, failureResponse(route.error), 'config_error', {
          reason: route.error.message,
        });
      if (route.value.kind === 'ignore') return answer(subject, 200, 'no_action_needed', route.value.reason);
      subject.model = route.value.model;
      claimKey = alertClaimKey(payload.alertId);
      reason = describeAlert(payload);
      features = payload.features;
      windowEnd = new Date(Date.parse(payload.firedDateTime));
    }
    const model = subject.model!;

    // Replays of a decided request are the common case under retries: answer them before anything else.
    const earlier = await ledger.peek(claimKey);
    if (earlier && earlier.state !== 'claimed') return duplicate(earlier);

    // Build the request before claiming: a broken template is answered without leaving a claim behind.
    const jobName = retrainJobName(claimKey, model);
    const loaded = await deps.templates.load(model);
    if (!loaded.ok)
      return audit(subject, failureResponse(loaded.error), 'config_error', { claimKey, reason: loaded.error.message });
    const window = captureWindowEndingAt(windowEnd, options.captureDays);
    const values: JobTemplateValues = {
      jobName,
      model,
      reason,
      magnitude: subject.magnitude === null ? '' : String(subject.magnitude),
      features: features.join(','),
      featuresJson: JSON.stringify(features),
      alertId: subject.alertId ?? '',
      alertRule: subject.rule ?? '',
      claimKey,
      triggeredAt: clock.now().toISOString(),
      captureContainer: options.captureContainer,
      capturePrefix: capturePrefix(options.captureNameFormat, {
        namespace: options.captureNamespace,
        eventHub: options.eventsHub,
      }),
      scoredCapturePrefix: capturePrefix(options.captureNameFormat, {
        namespace: options.captureNamespace,
        eventHub: options.scoredHub,
      }),
      captureWindowStart: window.start,
      captureWindowEnd: window.end,
      captureDays: String(options.captureDays),
    };
    const filled = fillJobTemplate(loaded.value.template, values, loaded.value.source);
    if (!filled.ok) {
      return audit(
        subject,
        failureResponse({ ...filled.error, detail: { setting: 'MRM_RETRAIN_JOB_TEMPLATE' } }),
        'config_error',
        { claimKey, reason: filled.error.message },
      );
    }

    // Exactly once: claim, then the model's cooldown, then submit under the claim's job name.
    const claimed = await ledger.claim({
      claimKey,
      source: subject.source,
      alertId: subject.alertId,
      rule: subject.rule,
      model,
      magnitude: subject.magnitude,
      jobName,
      request: filled.value,
    });
    if (claimed.kind === 'decided') return duplicate(claimed.record);
    if (claimed.kind === 'in_progress') {
      const message = `Another call holds this ${subject.source === 'alert' ? 'alert' : 'request'}; retry after its lease`;
      return audit(subject, retryLater('RETRAIN.IN_PROGRESS', message, claimed.retryAfterInSeconds), 'in_progress', {
        claimKey,
        reason: message,
      });
    }
    const claim = claimed.claim;
    const held = claim.record;

    // The cooldown counts from submitted jobs only: passing it reserves the model while we submit.
    const gate = await cooldowns.enter(model, claimKey, held.jobName);
    if (gate.kind === 'cooling') {
      const why = `Model ${model} is cooling down: job ${gate.started.jobName} started at ${gate.started.startedAt}; the next retraining may start after ${gate.until} (MRM_RETRAIN_COOLDOWN_HOURS=${options.cooldownInHours})`;
      await ledger.decide(claim, 'cooldown', why);
      return answer(subject, 200, 'cooldown', why, { claimKey, cooledOn: gate.started.jobName });
    }
    if (gate.kind === 'busy') {
      await ledger.releaseLease(claim);
      const message = `Another alert is submitting a retraining of model ${model}; retry after its lease`;
      return audit(subject, retryLater('RETRAIN.MODEL_BUSY', message, gate.retryAfterInSeconds), 'in_progress', {
        claimKey,
        reason: message,
      });
    }

    const outcome = await deps.submitter.submit({ jobName: held.jobName, model, body: held.request });
    switch (outcome.kind) {
      case 'submitted':
        await cooldowns.started(gate.entry);
        return triggered(claim, outcome.alreadySubmitted, outcome.target);
      case 'retryable':
        // It may have reached Azure ML all the same (a timeout): the next caller looks the job up.
        await cooldowns.release(gate.entry);
        await ledger.releaseLease(claim);
        return audit(
          subject,
          retryLater('RETRAIN.SUBMIT_RETRYABLE', outcome.message, outcome.retryAfterInSeconds ?? 30),
          'retry_later',
          { claimKey, reason: outcome.message },
        );
      case 'misconfigured':
        await cooldowns.undo(gate.entry);
        await ledger.release(claim);
        return audit(
          subject,
          errorResponse(500, 'RETRAIN.MISCONFIGURED', outcome.message, { detail: { settings: outcome.settings } }),
          'config_error',
          { claimKey, reason: outcome.message },
        );
    }

    function duplicate(record: ClaimRecord): Promise<WebhookResponse> {
      // A claim decided as cooldown never submitted its job: only a triggered one names it.
      return answer(
        subject,
        200,
        'duplicate',
        `Already handled at ${record.decidedAt ?? record.claimedAt}: ${record.state} (${record.reason ?? record.state})`,
        record.state === 'retraining_triggered' ? { claimKey, jobName: record.jobName } : { claimKey },
      );
    }

    async function triggered(held: HeldClaim, alreadySubmitted: boolean, target: string): Promise<WebhookResponse> {
      const jobName = held.record.jobName;
      const note = options.dryRun
        ? `Dry run: nothing was submitted; the request was recorded to ${target}`
        : alreadySubmitted
          ? `Job ${jobName} was already submitted by an earlier attempt`
          : `Submitted to ${target}`;
      await ledger.decide(held, 'retraining_triggered', note);
      const body: Record<string, unknown> = {
        status: 'retraining_triggered',
        jobName,
        model,
        magnitude: subject.magnitude,
        dryRun: options.dryRun,
        reason,
      };
      if (options.dryRun || alreadySubmitted) body.note = note;
      return audit(subject, { status: 202, body }, 'retraining_triggered', {
        claimKey,
        jobName,
        reason: `${reason}; ${note}`,
      });
    }
  };
}

function whyIgnored(alert: AlertPayload): string | undefined {
  if (alert.family === 'other') {
    return `Signal type "${alert.signalType}"${alert.conditionType ? ` (${alert.conditionType})` : ''} from ${alert.monitoringService || 'an unknown service'} is not handled: only metric alerts and Log Alerts V2 start retraining`;
  }
  if (alert.monitorCondition === 'Resolved') return `Alert "${alert.rule}" resolved: nothing to do`;
  return undefined;
}

function describeAlert(alert: AlertPayload): string {
  const measured =
    alert.value === null
      ? ''
      : `: ${alert.metricName ?? 'value'} ${alert.value}${alert.operator ? ` ${alert.operator}` : ''}${alert.threshold ? ` ${alert.threshold}` : ''}`;
  return `Alert rule "${alert.rule}" fired${measured}`;
}
