// What the azd hooks share: ARM calls with the azd sign-in, and their errors.
import { AzureDeveloperCliCredential } from '@azure/identity';

/** A hook's own failure: printed as one line, the hook exits 1. */
export class HookError extends Error {}

/** JSON over ARM with the token of the identity azd signed in with (AZURE_TENANT_ID when azd knows it). */
export function armClient(endpoint, env) {
  const base = endpoint.replace(/\/+$/, '');
  const credential = new AzureDeveloperCliCredential(env.AZURE_TENANT_ID ? { tenantId: env.AZURE_TENANT_ID } : {});
  const request = async (method, path, body) => {
    const { token } = await credential.getToken(`${base}/.default`);
    return fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(60_000),
    });
  };
  return {
    request,
    async json(method, path, body) {
      const response = await request(method, path, body);
      if (!response.ok) throw await armError(response, `${method} ${path.split('?')[0]}`);
      return response.json();
    },
  };
}

export async function armError(response, doing) {
  let detail = '';
  try {
    const body = await response.json();
    detail = body?.error?.message ? `: ${body.error.message}` : '';
  } catch {
    // not JSON: the status says enough
  }
  const hint =
    response.status === 401 || response.status === 403
      ? ' Your azd identity needs Contributor on the resource group (or Website Contributor with Monitoring Contributor for the retrain webhook, EventGrid EventSubscription Contributor for the capture events).'
      : '';
  return new HookError(`ARM answered ${response.status} ${doing}${detail}.${hint}`);
}

/** A number of seconds from the environment (`name`), or the fallback when unset. */
export function seconds(raw, fallback, name) {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new HookError(`${name} must be a number of seconds, got "${raw}".`);
  return value;
}

/**
 * Asks for the Functions host's keys until `pick` finds the one wanted. Right after a deploy the host may still be
 * starting (400, 404, 409, 5xx): asked again every few seconds until timeoutInMs. undefined when there is no time to
 * wait (timeoutInMs 0, after a provision before any deploy). `pick` returns the key, undefined to wait, or throws.
 */
export async function pollKey(arm, path, { pick, timeoutInMs, say, doing, waiting, timedOut }) {
  const deadline = Date.now() + timeoutInMs;
  const pauseInMs = Math.min(10_000, Math.max(100, timeoutInMs / 10));
  for (let attempt = 1; ; attempt++) {
    const response = await arm.request('POST', path);
    if (response.ok) {
      const key = pick(await response.json());
      if (key !== undefined) return key;
    } else if (!([400, 404, 409].includes(response.status) || response.status >= 500)) {
      throw await armError(response, doing);
    }
    if (Date.now() + pauseInMs > deadline) {
      if (timeoutInMs === 0) return undefined;
      throw response.ok ? new HookError(`${doing}: ${timedOut}.`) : await armError(response, `${doing} (${timedOut})`);
    }
    if (attempt === 1) say(`${waiting} (HTTP ${response.status})...`);
    await new Promise((resolve) => setTimeout(resolve, pauseInMs));
  }
}
