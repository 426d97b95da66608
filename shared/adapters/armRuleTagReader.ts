import { MonitorClient, isRestError } from '@azure/arm-monitor';
import type { TokenCredential } from '@azure/identity';
import type { Agent } from 'node:https';
import type { RuleTagReader, RuleTagsOutcome } from '../retraining/ports.js';
import type { Clock } from '../contracts/clock.js';
import { systemClock } from './clocks.js';
import { withSlash } from './armJobSubmitter.js';

export interface ArmRuleTagReaderOptions {
  armEndpoint: string;
  credential: TokenCredential;
  /** How long tags (and "cannot read this rule") are remembered, in milliseconds. */
  cacheInMs: number;
  timeoutInMs: number;
  agent?: Agent;
  clock?: Clock;
}

interface RuleRef {
  subscriptionId: string;
  resourceGroup: string;
  type: 'metricAlerts' | 'scheduledQueryRules';
  name: string;
}

const RULE_ID =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/microsoft\.insights\/(metricAlerts|scheduledQueryRules)\/([^/]+)$/i;

// @azure/identity's errors when no credential can be had (none configured, or every one in the chain failed): a
// setting to fix. Their messages chain every credential's attempt, so the answer names what to set instead.
const CREDENTIAL_ERRORS = new Set([
  'CredentialUnavailableError',
  'AggregateAuthenticationError',
  'AuthenticationRequiredError',
]);

/** Parses a metric alert or log alert (scheduled query) rule id; other ids are not rules we can read. */
export function parseRuleId(ruleId: string): RuleRef | undefined {
  const match = RULE_ID.exec(ruleId.trim());
  if (!match) return undefined;
  const type = match[3]!.toLowerCase() === 'metricalerts' ? 'metricAlerts' : 'scheduledQueryRules';
  return {
    subscriptionId: match[1]!,
    resourceGroup: decodeURIComponent(match[2]!),
    type,
    name: decodeURIComponent(match[4]!),
  };
}

/**
 * Reads alert rules' tags with `@azure/arm-monitor` (metricAlerts.get / scheduledQueryRules.get), one client per
 * subscription, results cached per rule. A rule that is gone or unreadable (404, 403) falls back to name routing;
 * throttling, 5xx and timeouts are retryable, so the webhook answers 503 and the action group calls again.
 */
export class ArmRuleTagReader implements RuleTagReader {
  private readonly clients = new Map<string, MonitorClient>();
  private readonly cache = new Map<string, { outcome: RuleTagsOutcome; until: number }>();
  private readonly inFlight = new Map<string, Promise<RuleTagsOutcome>>();

  constructor(private readonly options: ArmRuleTagReaderOptions) {}

  async tagsOf(ruleId: string): Promise<RuleTagsOutcome> {
    const now = (this.options.clock ?? systemClock).nowInMs();
    const key = ruleId.toLowerCase();
    const cached = this.cache.get(key);
    if (cached && cached.until > now) return cached.outcome;

    const ref = parseRuleId(ruleId);
    if (!ref) return { kind: 'unavailable', reason: `"${ruleId}" is not a metric or log alert rule id` };
    // A storm of alerts from one rule asks ARM once, not once per alert.
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.read(ref).then((outcome) => {
        if (outcome.kind === 'found' || outcome.kind === 'unavailable')
          this.cache.set(key, { outcome, until: now + this.options.cacheInMs });
        return outcome;
      });
      pending.finally(() => this.inFlight.delete(key)).catch(() => undefined);
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async read(ref: RuleRef): Promise<RuleTagsOutcome> {
    const client = this.clientFor(ref.subscriptionId);
    const options = { abortSignal: AbortSignal.timeout(this.options.timeoutInMs) };
    try {
      const rule =
        ref.type === 'metricAlerts'
          ? await client.metricAlerts.get(ref.resourceGroup, ref.name, options)
          : await client.scheduledQueryRules.get(ref.resourceGroup, ref.name, options);
      return { kind: 'found', tags: { ...(rule.tags ?? {}) } };
    } catch (error) {
      if (CREDENTIAL_ERRORS.has((error as { name?: unknown }).name as string)) {
        return {
          kind: 'misconfigured',
          message:
            "No Azure credential to read the alert rule's tags: in Azure, give the app its managed identity " +
            '(AZURE_CLIENT_ID); locally, `az login` or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET; ' +
            'or, in a dry run, pass the tags with --rule-tag mrm-model=<model>',
        };
      }
      const status = isRestError(error) ? error.statusCode : undefined;
      const message = error instanceof Error ? error.message : String(error);
      if (status === 404) return { kind: 'unavailable', reason: `rule not found (404)` };
      if (status === 401 || status === 403)
        return {
          kind: 'unavailable',
          reason: `no permission to read it (${status}); grant the app's identity Monitoring Reader`,
        };
      if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
        return { kind: 'unavailable', reason: `ARM answered ${status}: ${message}` };
      }
      // Without an answer, the error's code (ECONNREFUSED, a timeout): its message would add the address.
      const code = (error as { code?: unknown }).code;
      const reason = typeof code === 'string' && code !== '' ? `ARM unreachable (${code})` : message;
      return { kind: 'retryable', message: status ? `ARM answered ${status}: ${message}` : reason };
    }
  }

  private clientFor(subscriptionId: string): MonitorClient {
    let client = this.clients.get(subscriptionId);
    if (!client) {
      client = new MonitorClient(this.options.credential, subscriptionId, {
        endpoint: withSlash(this.options.armEndpoint).replace(/\/$/, ''),
        credentials: { scopes: [new URL('.default', withSlash(this.options.armEndpoint)).toString()] },
        // One quick retry here; beyond that the action group's own retries take over.
        retryOptions: { maxRetries: 1, retryDelayInMs: 200, maxRetryDelayInMs: 1000 },
        ...(this.options.agent ? { agent: this.options.agent } : {}),
      });
      this.clients.set(subscriptionId, client);
    }
    return client;
  }
}
