#!/usr/bin/env node
// azd hook (postprovision and postdeploy, see azure.yaml): puts retrainWebhook's URL, with that function's own key,
// into the retrain action group. Provisioning cannot do it: the key exists only once the code is deployed and the
// host runs (the key API answers 400 before), and every provisioning resets the group to no webhook.
//
// Idempotent: it reads the group, replaces only its own receiver ('retrainWebhook'), and writes only when something
// changed. The key is never printed. MRM_WIRE_RETRAIN_WEBHOOK=false turns it off (the group then has no webhook and
// retraining alerts reach nobody but the operators). Run it by hand with `azd hooks run postdeploy`.
//
// Usage: node scripts/hooks/wire-retrain-webhook.mjs postprovision|postdeploy   (azd passes its environment)
import { pathToFileURL } from 'node:url';
import { armClient, HookError, pollKey, seconds } from './arm.mjs';

/** The receiver this hook owns in the retrain group, and the function whose key it carries (functions/retrainWebhook.ts). */
export const RECEIVER_NAME = 'retrainWebhook';
export const FUNCTION_NAME = 'retrainWebhook';
const WEB_API_VERSION = '2024-04-01';
const ACTION_GROUP_API_VERSION = '2023-01-01';
const REQUIRED = ['AZURE_FUNCTION_APP_ID', 'MRM_RETRAIN_ACTION_GROUP_ID', 'MRM_RETRAIN_WEBHOOK_URL'];

/**
 * @param {'postprovision' | 'postdeploy'} phase
 * @param {Record<string, string | undefined>} env
 * @param {(line: string) => void} say
 * @returns {Promise<'disabled' | 'not-deployed' | 'unchanged' | 'wired'>}
 */
export async function wireRetrainWebhook(phase, env, say) {
  if ((env.MRM_WIRE_RETRAIN_WEBHOOK ?? 'true').trim().toLowerCase() === 'false') {
    say('MRM_WIRE_RETRAIN_WEBHOOK=false: the retrain action group is left without its webhook.');
    return 'disabled';
  }
  const missing = REQUIRED.filter((name) => !env[name]);
  if (missing.length > 0)
    throw new HookError(`Missing azd outputs ${missing.join(', ')}: run \`azd provision\` first.`);
  const arm = armClient(env.AZURE_RESOURCE_MANAGER_ENDPOINT || 'https://management.azure.com/', env);
  const timeoutInMs =
    phase === 'postdeploy'
      ? seconds(env.MRM_WIRE_WEBHOOK_TIMEOUT_SECONDS, 300, 'MRM_WIRE_WEBHOOK_TIMEOUT_SECONDS') * 1000
      : 0;

  const key = await functionKey(arm, env.AZURE_FUNCTION_APP_ID, timeoutInMs, say);
  if (key === undefined) {
    say(`${FUNCTION_NAME} is not deployed yet: its webhook is wired after \`azd deploy\`.`);
    return 'not-deployed';
  }
  const groupPath = `${env.MRM_RETRAIN_ACTION_GROUP_ID}?api-version=${ACTION_GROUP_API_VERSION}`;
  const group = await arm.json('GET', groupPath);
  const current = group.properties?.webhookReceivers ?? [];
  const next = [
    ...current.filter((r) => r.name !== RECEIVER_NAME),
    receiver(`${env.MRM_RETRAIN_WEBHOOK_URL}`, key, env),
  ];
  if (sameReceivers(current, next)) {
    say(`The retrain action group already calls ${FUNCTION_NAME}.`);
    return 'unchanged';
  }
  await arm.json('PUT', groupPath, {
    location: group.location ?? 'global',
    ...(group.tags ? { tags: group.tags } : {}),
    properties: { ...group.properties, webhookReceivers: next },
  });
  const secured = env.MRM_RETRAIN_WEBHOOK_AAD_OBJECT_ID ? ' (secure webhook: Entra token)' : '';
  say(`The retrain action group now calls ${env.MRM_RETRAIN_WEBHOOK_URL}${secured}.`);
  return 'wired';
}

/** The webhook receiver, with the secure-webhook fields main.bicep outputs (empty when it is off). */
function receiver(url, key, env) {
  const objectId = env.MRM_RETRAIN_WEBHOOK_AAD_OBJECT_ID || '';
  const useAadAuth = objectId !== '';
  const serviceUri = new URL(url);
  serviceUri.searchParams.set('code', key);
  return {
    name: RECEIVER_NAME,
    serviceUri: serviceUri.toString(),
    useCommonAlertSchema: true,
    useAadAuth,
    ...(useAadAuth
      ? {
          objectId,
          identifierUri: env.MRM_RETRAIN_WEBHOOK_AAD_IDENTIFIER_URI || '',
          tenantId: env.MRM_RETRAIN_WEBHOOK_AAD_TENANT_ID || '',
        }
      : {}),
  };
}

/** Equal as the group would store them; ARM may echo absent optional fields as null or false. */
function sameReceivers(a, b) {
  const canonical = (list) =>
    JSON.stringify(
      list
        .map((r) => ({
          name: r.name,
          serviceUri: r.serviceUri,
          useCommonAlertSchema: r.useCommonAlertSchema === true,
          useAadAuth: r.useAadAuth === true,
          objectId: r.useAadAuth ? r.objectId : null,
          identifierUri: r.useAadAuth ? r.identifierUri : null,
          tenantId: r.useAadAuth ? r.tenantId : null,
        }))
        .sort((x, y) => String(x.name).localeCompare(String(y.name))),
    );
  return canonical(a) === canonical(b);
}

/** The function's default key, waited for right after a deploy (see pollKey). */
function functionKey(arm, siteId, timeoutInMs, say) {
  return pollKey(arm, `${siteId}/functions/${FUNCTION_NAME}/listkeys?api-version=${WEB_API_VERSION}`, {
    pick: (keys) => {
      if (typeof keys.default === 'string' && keys.default !== '') return keys.default;
      throw new HookError(`${FUNCTION_NAME} has no default key (keys: ${Object.keys(keys).join(', ') || 'none'}).`);
    },
    timeoutInMs,
    say,
    doing: `listing the keys of ${FUNCTION_NAME}`,
    waiting: 'Waiting for the Functions host to start',
    timedOut:
      'the host did not answer within MRM_WIRE_WEBHOOK_TIMEOUT_SECONDS; run `azd hooks run postdeploy` once it runs',
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const phase = process.argv[2];
  if (phase !== 'postprovision' && phase !== 'postdeploy') {
    process.stderr.write('Usage: wire-retrain-webhook.mjs postprovision|postdeploy\n');
    process.exit(2);
  }
  wireRetrainWebhook(phase, process.env, (line) => process.stdout.write(`${line}\n`)).catch((error) => {
    process.stderr.write(
      `Could not wire the retrain webhook: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
}
