import { container, flag, number, oneOf, optionalText, text, url } from '../setting.js';
import { THRESHOLDS } from '../../telemetry/monitoring.js';
import { isModelName } from '../../retraining/modelName.js';
import { compileRulePattern } from '../../retraining/rulePattern.js';

const used = ['retrainWebhook'] as const;
const okv = <T>(value: T) => ({ ok: true as const, value });
const bad = (message: string) => ({ ok: false as const, error: message });

/** Rule-name patterns (see rulePattern.ts), checked at cold start so a typo fails the deployment, not an alert. */
function pattern(raw: string) {
  const compiled = compileRulePattern(raw);
  return compiled.ok ? okv(raw.trim()) : bad(compiled.error);
}

/** Settings of retrainWebhook (and `mrm alert`). Cross-setting rules: shared/retraining/retrainingSettingsCheck.ts. */
export const retrainingSettings = {
  retrainThreshold: number(
    'MRM_RETRAIN_THRESHOLD',
    'A direct payload retrains when drift_magnitude exceeds this.',
    THRESHOLDS.retrainDriftMagnitude,
    used,
    { min: 0, max: 1 },
  ),

  route: text(
    'MRM_WEBHOOK_ROUTE',
    'Route of retrainWebhook under /api (the action group calls https://<app>/api/<route>).',
    'retrain',
    used,
    {
      parse: (raw) =>
        /^[A-Za-z0-9][A-Za-z0-9/_-]*$/.test(raw.trim())
          ? okv(raw.trim())
          : bad(`"${raw}" is not a route (letters, digits, /, _ and -, no leading slash)`),
    },
  ),
  maxBodyBytes: number(
    'MRM_WEBHOOK_MAX_BODY_BYTES',
    'Largest request body accepted, in bytes (Azure Monitor alert payloads are at most 256 KB); larger ones get 413.',
    262_144,
    used,
    { min: 1024, integer: true },
  ),

  entraAudience: optionalText(
    'MRM_ENTRA_AUDIENCE',
    "When set, every call must carry an Entra bearer token for one of these comma-separated audiences: the Application ID URI of the secure-webhook app registration (the audience of v1.0 tokens) and its application (client) id (the audience of v2.0 tokens, which the app registration issues when it accepts v2.0 tokens as Microsoft's secure-webhook setup has it). Give both. Unset: the function key alone protects the route.",
    used,
    { sample: '' },
  ),
  entraTenantId: optionalText(
    'MRM_ENTRA_TENANT_ID',
    'Tenant that issues the secure-webhook tokens (required with MRM_ENTRA_AUDIENCE unless MRM_ENTRA_ISSUERS and MRM_ENTRA_JWKS_URL are both set).',
    used,
    { sample: '' },
  ),
  entraIssuers: optionalText(
    'MRM_ENTRA_ISSUERS',
    'Comma-separated accepted token issuers. Default: both Entra issuers of the tenant, https://sts.windows.net/<tenant>/ (v1 tokens) and <authority>/<tenant>/v2.0.',
    used,
    { sample: '' },
  ),
  entraAuthority: url('MRM_ENTRA_AUTHORITY', 'Entra authority host (change for sovereign clouds).', used, {
    defaultValue: 'https://login.microsoftonline.com/',
  }),
  entraJwksUrl: url(
    'MRM_ENTRA_JWKS_URL',
    'URL of the signing keys (JWKS). Default: <authority>/<tenant>/discovery/v2.0/keys. Keys are cached and refetched when an unknown key id appears.',
    used,
    { sample: '' },
  ),
  entraRequiredRole: optionalText(
    'MRM_ENTRA_REQUIRED_ROLE',
    "App role the token must carry in its roles claim (e.g. ActionGroupsSecureWebhook, the role Azure Monitor's secure webhook setup assigns). Unset: not checked.",
    used,
    { sample: '' },
  ),

  rulePattern: text(
    'MRM_RETRAIN_RULE_PATTERN',
    'Alert rules whose name matches one of these comma-separated patterns (case-insensitive) may start retraining; so may any rule carrying the MRM_RETRAIN_MODEL_TAG tag. Other alerts are acknowledged and ignored. A pattern is text with `*` for any characters, anchored by a leading `^` or a trailing `$`, else found anywhere in the name (e.g. `^mrm-retrain-`, `*-drift$`); it is matched in linear time, and regular expressions are refused.',
    'drift',
    used,
    { parse: pattern },
  ),
  modelTag: text(
    'MRM_RETRAIN_MODEL_TAG',
    'Alert-rule tag naming the model to retrain (read with the ARM monitor API, cached).',
    'mrm-model',
    used,
  ),
  defaultModel: text(
    'MRM_RETRAIN_DEFAULT_MODEL',
    "Model retrained when neither the payload nor the rule's tag names one.",
    'default',
    used,
    {
      parse: (raw) =>
        isModelName(raw.trim())
          ? okv(raw.trim())
          : bad(`"${raw}" is not a model name (letters, digits, ., _ and -, at most 63)`),
    },
  ),
  ruleTagCacheInSeconds: number(
    'MRM_RULE_TAG_CACHE_SECONDS',
    "How long an alert rule's tags are cached per instance, in seconds.",
    300,
    used,
    { min: 0, integer: true },
  ),

  cooldownInHours: number(
    'MRM_RETRAIN_COOLDOWN_HOURS',
    'After a retraining job starts for a model, further alerts for that model within this many hours answer "cooldown". 0 disables.',
    24,
    used,
    { min: 0 },
  ),
  dedupeWindowInMinutes: number(
    'MRM_RETRAIN_DEDUPE_WINDOW_MINUTES',
    'Identical direct payloads within one window of this many minutes are the same request (they carry no alert id).',
    60,
    used,
    { min: 1, integer: true },
  ),
  claimLeaseInSeconds: number(
    'MRM_RETRAIN_CLAIM_LEASE_SECONDS',
    'How long a claimed alert belongs to the call that claimed it; a retry after that (the first call crashed) takes the claim over and submits the same job name. Must exceed MRM_ARM_TIMEOUT_MS.',
    60,
    used,
    { min: 1, integer: true },
  ),
  stateContainer: container(
    'MRM_RETRAIN_STATE_CONTAINER',
    "Container of the webhook's claims, cooldowns and dry-run requests.",
    'webhook-state',
    used,
  ),
  auditContainer: container(
    'MRM_AUDIT_CONTAINER',
    'Container of the audit log (append blobs retrain/YYYY/MM/DD.jsonl, one JSON line per decision).',
    'audit',
    used,
  ),

  mode: oneOf(
    'MRM_RETRAIN_MODE',
    'How retraining starts: an Azure ML job through the ARM jobs API, or an invocation of a batch/pipeline endpoint.',
    'job',
    ['job', 'pipeline-endpoint'] as const,
    used,
  ),
  dryRun: flag(
    'MRM_RETRAIN_DRY_RUN',
    'Record the request that would be submitted instead of submitting it (also implied when no workspace or endpoint is configured).',
    false,
    used,
  ),
  workspaceSubscriptionId: optionalText(
    'MRM_RETRAIN_WORKSPACE_SUBSCRIPTION_ID',
    'Subscription of the Azure ML workspace jobs are submitted to. Unset (with the two below): dry run.',
    used,
    { sample: '' },
  ),
  workspaceResourceGroup: optionalText(
    'MRM_RETRAIN_WORKSPACE_RESOURCE_GROUP',
    'Resource group of the Azure ML workspace.',
    used,
    { sample: '' },
  ),
  workspaceName: optionalText(
    'MRM_RETRAIN_WORKSPACE_NAME',
    "Name of the Azure ML workspace. The app's identity needs a role that can submit jobs there (e.g. AzureML Data Scientist).",
    used,
    { sample: '' },
  ),
  pipelineEndpointUrl: url(
    'MRM_RETRAIN_PIPELINE_ENDPOINT_URL',
    'Invocation URL of the batch or pipeline endpoint (when MRM_RETRAIN_MODE=pipeline-endpoint; unset: dry run).',
    used,
    { sample: '' },
  ),
  jobTemplate: optionalText(
    'MRM_RETRAIN_JOB_TEMPLATE',
    "The job (or endpoint invocation) body: a JSON file path, or blob:<container>/<name> in the app's storage; {model} in it picks a template per model. Placeholders such as {{reason}} are filled (examples/retrain-job.template.json). Unset: the built-in example, for dry runs.",
    used,
    { sample: '' },
  ),
  armEndpoint: url(
    'MRM_ARM_ENDPOINT',
    'Azure Resource Manager endpoint (change for sovereign clouds); token scope <endpoint>/.default.',
    used,
    { defaultValue: 'https://management.azure.com/' },
  ),
  jobsApiVersion: text(
    'MRM_RETRAIN_JOBS_API_VERSION',
    'api-version of the Azure ML jobs API (Microsoft.MachineLearningServices/workspaces/jobs).',
    '2024-10-01',
    used,
    {
      parse: (raw) =>
        /^\d{4}-\d{2}-\d{2}(-preview)?$/.test(raw.trim())
          ? okv(raw.trim())
          : bad(`"${raw}" is not an api-version (YYYY-MM-DD or YYYY-MM-DD-preview)`),
    },
  ),
  armTimeoutInMs: number(
    'MRM_ARM_TIMEOUT_MS',
    'Timeout of one ARM or endpoint request, in milliseconds; a timeout answers 503 so the action group retries.',
    20_000,
    used,
    { min: 100, integer: true },
  ),
  captureDays: number(
    'MRM_RETRAIN_CAPTURE_DAYS',
    'Days of captured events up to the alert handed to the job as its training window ({{captureWindowStart}}..{{captureWindowEnd}}).',
    7,
    used,
    { min: 1, integer: true },
  ),
} as const;
