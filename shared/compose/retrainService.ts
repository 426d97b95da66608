import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import type { Agent } from 'node:https';
import type { Environment, Settings } from '../config/settings.js';
import { EXAMPLE_ENDPOINT_TEMPLATE, EXAMPLE_JOB_TEMPLATE } from '../retraining/exampleTemplates.js';
import type { AuditLog, Clock, Log, RetrainSubmitter, RuleTagReader } from '../retraining/ports.js';
import { isDryRun } from '../config/retrainingSettingsCheck.js';
import { createRetrainUseCase, type RetrainOptions } from '../retraining/retrainUseCase.js';
import type { RetrainOutcome } from '../retraining/retrainOutcome.js';
import { createWebhookGate, type WebhookRequest } from './webhookGate.js';
import type { WebhookResponse } from './webhookResponse.js';
import { ArmJobSubmitter } from '../adapters/armJobSubmitter.js';
import { ArmRuleTagReader } from '../adapters/armRuleTagReader.js';
import { BlobAuditLog } from '../adapters/blobAuditLog.js';
import { blobServiceClientFor } from '../adapters/blobServiceClient.js';
import { BlobStateStore } from '../adapters/blobStateStore.js';
import { DryRunSubmitter } from '../adapters/dryRunSubmitter.js';
import { EntraTokenVerifier, entraIssuers, entraJwksUrl } from '../adapters/entraTokenVerifier.js';
import { JobTemplateSource } from '../adapters/jobTemplateSource.js';
import { PipelineEndpointInvoker } from '../adapters/pipelineEndpointInvoker.js';
import { systemClock } from '../adapters/clocks.js';
import { auditEntryOf, responseOf } from './retrainResponse.js';

/** Edges a caller may replace: tests hand in a fake credential and an agent trusting their loopback CA. */
export interface RetrainOverrides {
  credential?: TokenCredential;
  agent?: Agent;
  clock?: Clock;
  /** `mrm alert --dry-run`. */
  dryRun?: boolean;
  /** Where alert rules' tags come from instead of ARM (`mrm alert --dry-run --rule-tag`). */
  ruleTags?: RuleTagReader;
  /** Where relative template paths resolve; default the working directory (the Function App's root). */
  baseDirectory?: string;
}

export interface RetrainService {
  /** The whole HTTP request: token, content type, size, JSON, then the use case. */
  handle(request: WebhookRequest, log?: Log): Promise<WebhookResponse>;
  /** The use case on a parsed body (what `mrm alert` runs). */
  retrain(body: unknown, log?: Log): Promise<WebhookResponse>;
  readonly dryRun: boolean;
  readonly audit: BlobAuditLog;
}

/** Wires the retraining use case to storage, ARM, Azure ML and Entra from validated settings. */
export function buildRetrainService(
  settings: Settings,
  env: Environment,
  overrides: RetrainOverrides = {},
): RetrainService {
  const r = settings.retraining;
  const clock = overrides.clock ?? systemClock;
  const dryRun = isDryRun(settings, overrides.dryRun);
  const blobService = blobServiceClientFor(settings.core.storageConnection, env);
  const state = new BlobStateStore(blobService.getContainerClient(r.stateContainer));
  const audit = new BlobAuditLog(blobService.getContainerClient(r.auditContainer));
  let credential: TokenCredential | undefined = overrides.credential;
  const identity = (): TokenCredential =>
    (credential ??= settings.core.managedIdentityClientId
      ? new DefaultAzureCredential({ managedIdentityClientId: settings.core.managedIdentityClientId })
      : new DefaultAzureCredential());
  const agent = overrides.agent;

  const live: RetrainSubmitter | undefined =
    r.mode === 'job' && r.workspaceSubscriptionId && r.workspaceResourceGroup && r.workspaceName
      ? new ArmJobSubmitter({
          armEndpoint: r.armEndpoint!,
          subscriptionId: r.workspaceSubscriptionId,
          resourceGroup: r.workspaceResourceGroup,
          workspace: r.workspaceName,
          apiVersion: r.jobsApiVersion,
          timeoutInMs: r.armTimeoutInMs,
          credential: lazyCredential(identity),
          clock,
          ...(agent ? { agent } : {}),
        })
      : r.mode === 'pipeline-endpoint' && r.pipelineEndpointUrl
        ? new PipelineEndpointInvoker({
            endpointUrl: r.pipelineEndpointUrl,
            timeoutInMs: r.armTimeoutInMs,
            credential: lazyCredential(identity),
            clock,
            ...(agent ? { agent } : {}),
          })
        : undefined;
  const submitter: RetrainSubmitter = dryRun
    ? new DryRunSubmitter(state, r.stateContainer, (jobName) =>
        live
          ? live.describe(jobName)
          : r.mode === 'job'
            ? {
                method: 'PUT',
                url: `(no workspace: set MRM_RETRAIN_WORKSPACE_SUBSCRIPTION_ID, _RESOURCE_GROUP and _NAME) .../jobs/${jobName}`,
              }
            : { method: 'POST', url: '(no endpoint: set MRM_RETRAIN_PIPELINE_ENDPOINT_URL)' },
      )
    : live!;

  const options: RetrainOptions = {
    threshold: r.retrainThreshold,
    rulePattern: r.rulePattern,
    modelTag: r.modelTag,
    defaultModel: r.defaultModel,
    cooldownInHours: r.cooldownInHours,
    dedupeWindowInMinutes: r.dedupeWindowInMinutes,
    claimLeaseInSeconds: r.claimLeaseInSeconds,
    captureDays: r.captureDays,
    captureContainer: settings.drift.captureContainer,
    captureNameFormat: settings.drift.captureNameFormat,
    captureNamespace: captureNamespace(settings, env),
    eventsHub: settings.scoring.eventsHub,
    scoredHub: settings.scoring.scoredHub,
    dryRun,
  };
  const decide = createRetrainUseCase({
    options,
    state,
    submitter,
    templates: new JobTemplateSource({
      location: r.jobTemplate,
      fallback:
        r.mode === 'job'
          ? { template: EXAMPLE_JOB_TEMPLATE, source: 'built-in example (examples/retrain-job.template.json)' }
          : {
              template: EXAMPLE_ENDPOINT_TEMPLATE,
              source: 'built-in example (examples/retrain-endpoint.template.json)',
            },
      blobService,
      baseDirectory: overrides.baseDirectory ?? process.cwd(),
      cacheInMs: 60_000,
      clock,
    }),
    ruleTags:
      overrides.ruleTags ??
      new ArmRuleTagReader({
        armEndpoint: r.armEndpoint!,
        credential: lazyCredential(identity),
        cacheInMs: r.ruleTagCacheInSeconds * 1000,
        timeoutInMs: r.armTimeoutInMs,
        clock,
        ...(agent ? { agent } : {}),
      }),
    clock,
  });
  const retrain = auditedRetrain(decide, audit, clock, dryRun);
  const tokens = r.entraAudience
    ? new EntraTokenVerifier({
        audiences: list(r.entraAudience),
        issuers: r.entraIssuers ? list(r.entraIssuers) : entraIssuers(r.entraAuthority!, r.entraTenantId!),
        jwksUrl: r.entraJwksUrl ?? entraJwksUrl(r.entraAuthority!, r.entraTenantId!),
        requiredRole: r.entraRequiredRole,
      })
    : undefined;
  const handle = createWebhookGate({ maxBodyBytes: r.maxBodyBytes, tokens }, retrain);
  return { handle, retrain, dryRun, audit };
}

/** The use case with its HTTP answer and its audit line: every decision is appended, and logged, with its status. */
function auditedRetrain(
  decide: (body: unknown) => Promise<RetrainOutcome>,
  audit: AuditLog,
  clock: Clock,
  dryRun: boolean,
): (body: unknown, log?: Log) => Promise<WebhookResponse> {
  return async (body, log = () => undefined) => {
    const outcome = await decide(body);
    const response = responseOf(outcome);
    if (outcome.kind === 'bad_input') return response;
    const entry = auditEntryOf(outcome, response.status, new Date(clock.nowInMs()), dryRun);
    try {
      await audit.append(entry);
    } catch (error) {
      // The decision stands (a job may already run); losing its audit line must not make the caller retry.
      log(
        'error',
        `Audit log append failed for ${entry.decision} ${entry.claimKey ?? ''}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    log(
      response.status >= 500 ? 'warn' : 'info',
      `retrainWebhook ${entry.decision} (${response.status}): ${entry.reason}`,
    );
    return response;
  };
}

// DefaultAzureCredential probes its chain on first use; building it only when ARM is called keeps cold start small.
function lazyCredential(get: () => TokenCredential): TokenCredential {
  return { getToken: (scopes, options) => get().getToken(scopes, options) };
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/**
 * The Event Hubs namespace, for Capture blob prefixes: the drift settings' namespace when declared, else the host's
 * Event Hubs connection (`<name>__fullyQualifiedNamespace` or the connection string's Endpoint).
 */
function captureNamespace(settings: Settings, env: Environment): string | undefined {
  const declared = (settings.drift as { captureNamespace?: unknown }).captureNamespace;
  if (typeof declared === 'string' && declared !== '') return declared;
  const name = settings.scoring.eventHubConnection;
  const host = env[`${name}__fullyQualifiedNamespace`] ?? /Endpoint=sb:\/\/([^/;]+)/i.exec(env[name] ?? '')?.[1];
  const namespace = host?.split('.')[0];
  return namespace && namespace !== 'localhost' ? namespace : undefined;
}
