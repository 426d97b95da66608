import { loadSettings, type Environment, type Settings } from '../../../../shared/config/settings.js';
import { BlobAuditLog } from '../../../../shared/adapters/blobAuditLog.js';
import { buildRetrainService, type RetrainService } from '../../../../shared/compose/retrainService.js';
import { retrainingSettingsProblems } from '../../../../shared/config/retrainingSettingsCheck.js';
import type { AuditEntry } from '../../../../shared/retraining/ports.js';
import { azuriteConnectionString, blobService, uniqueContainerName } from '../../../helpers/storage.js';
import { FakeArm, trustingAgent } from './fakeArm.js';
import { FakeCredential } from './fakeCredential.js';
import { ManualClock } from './manualClock.js';

export const SUBSCRIPTION = '00000000-1111-2222-3333-444444444444';
export const WORKSPACE_ENV = {
  MRM_RETRAIN_WORKSPACE_SUBSCRIPTION_ID: SUBSCRIPTION,
  MRM_RETRAIN_WORKSPACE_RESOURCE_GROUP: 'rg-ml',
  MRM_RETRAIN_WORKSPACE_NAME: 'mlw-mrm',
  MRM_RETRAIN_JOB_TEMPLATE: 'examples/retrain-job.template.json',
};

export interface RetrainHarness {
  arm: FakeArm;
  credential: FakeCredential;
  clock: ManualClock;
  env: Environment;
  settings: Settings;
  service: RetrainService;
  /** Another instance of the app on the same storage and ARM (a second Functions worker). */
  anotherInstance(): RetrainService;
  audit(): Promise<AuditEntry[]>;
  close(): Promise<void>;
}

/**
 * The retraining service as the Function App builds it, against Azurite (fresh containers) and a fake ARM over TLS on
 * loopback; only the credential and clock are stand-ins. `live: false` leaves the workspace unset (dry run).
 */
export async function startRetrainHarness(
  options: { live?: boolean; env?: Environment } = {},
): Promise<RetrainHarness> {
  const arm = await FakeArm.start({ tls: true });
  const credential = new FakeCredential();
  const clock = new ManualClock();
  const env: Environment = {
    AzureWebJobsStorage: azuriteConnectionString(),
    MRM_RETRAIN_STATE_CONTAINER: uniqueContainerName('state'),
    MRM_AUDIT_CONTAINER: uniqueContainerName('audit'),
    MRM_ARM_ENDPOINT: arm.url,
    MRM_ARM_TIMEOUT_MS: '5000',
    MRM_RETRAIN_CLAIM_LEASE_SECONDS: '60',
    ...(options.live === false ? {} : WORKSPACE_ENV),
    ...options.env,
  };
  const loaded = loadSettings(env);
  if (!loaded.ok) throw new Error(loaded.error.message);
  const problems = retrainingSettingsProblems(loaded.value);
  if (problems.length > 0) throw new Error(problems.join('; '));
  const settings = loaded.value;
  const agent = trustingAgent();
  const build = () => buildRetrainService(settings, env, { credential, agent, clock });
  return {
    arm,
    credential,
    clock,
    env,
    settings,
    service: build(),
    anotherInstance: build,
    audit: () =>
      new BlobAuditLog(blobService().getContainerClient(settings.retraining.auditContainer)).entriesOf(
        new Date(clock.nowInMs()).toISOString().slice(0, 10),
      ),
    close: async () => {
      agent.destroy();
      await arm.close();
    },
  };
}
