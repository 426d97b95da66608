import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import type { Environment } from '../../shared/config/settings.js';
import { loadSettings } from '../../shared/config/settings.js';
import { MrmError, errorMessage } from '../../shared/errors.js';
import { buildRetrainService } from '../../shared/compose/retrainService.js';
import { retrainingSettingsProblems } from '../../shared/config/retrainingSettingsCheck.js';
import { printable } from '../../shared/printable.js';
import type { RuleTagReader } from '../../shared/retraining/ports.js';
import { startAzurite } from '../../dev/azurite.js';

export interface AlertCommandIo {
  env: Environment;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  setExitCode: (code: number) => void;
}

const processIo: AlertCommandIo = {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

/**
 * `mrm alert --payload <file.json> [--dry-run]`: runs a payload (an alert in the common schema, or the direct payload)
 * through the same use case as retrainWebhook, against the same storage, and prints the response JSON. Exit code 0 for
 * 2xx answers, 1 otherwise. Handy to test alert rules and to replay a payload.
 */
export function alertCommand(io: AlertCommandIo = processIo): Command {
  return new Command('alert')
    .description(
      'Run an alert or direct payload through the retraining decision (as retrainWebhook would) and print the response',
    )
    .requiredOption(
      '--payload <file>',
      'JSON file: an Azure Monitor alert (common alert schema) or {"drift_magnitude": 0.4, "features": ["age"]}',
    )
    .option(
      '--dry-run',
      'record what would be submitted instead of submitting (kept apart from live claims and cooldowns)',
      false,
    )
    .option(
      '--rule-tag <key=value>',
      "with --dry-run: a tag of the alert rule, instead of reading the rule's tags from Azure (repeatable)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .action(async (opts: { payload: string; dryRun: boolean; ruleTag?: string[] }) => {
      // The payload first: a missing or broken file is the answer, whatever the storage or Azure sign-in.
      const body = await readPayload(opts.payload);
      const tags = ruleTagsOf(opts.ruleTag ?? [], opts.dryRun);
      const loaded = loadSettings(io.env);
      if (!loaded.ok) throw MrmError.fromFailure(loaded.error);
      const problems = retrainingSettingsProblems(loaded.value);
      if (problems.length > 0)
        throw new MrmError('configuration', 'CONFIG.INVALID', `Invalid settings: ${problems.join('; ')}`);
      const connection = loaded.value.core.storageConnection;
      const hasStorage = Boolean(
        io.env[connection] || io.env[`${connection}__blobServiceUri`] || io.env[`${connection}__accountName`],
      );
      if (!hasStorage && !opts.dryRun) {
        throw new MrmError(
          'configuration',
          'CONFIG.STORAGE_CONNECTION',
          `mrm alert keeps claims, cooldowns and the audit log in storage: set ${connection} to a connection string (for Azurite: UseDevelopmentStorage=true, or the one \`npm run demo\` prints) or ${connection}__blobServiceUri; or add --dry-run to use a temporary local store`,
        );
      }
      // A dry run without storage keeps its claims and audit lines in an Azurite of its own, in memory, for this run.
      const local = hasStorage ? undefined : await startAzurite();
      try {
        const env = local ? { ...io.env, [connection]: local.connectionString } : io.env;
        if (local)
          io.stderr(`mrm alert: no ${connection} set: this dry run keeps its state in a temporary local store\n`);
        const settings = local ? unwrapSettings(env) : loaded.value;
        const service = buildRetrainService(settings, env, {
          dryRun: opts.dryRun,
          ...(opts.dryRun ? { ruleTags: tags } : {}),
        });
        const response = await service.retrain(body, (level, message) => {
          if (level !== 'info') io.stderr(`${level}: ${printable(message)}\n`);
        });
        io.stdout(`${JSON.stringify(response.body, null, 2)}\n`);
        if (response.status >= 300) {
          io.stderr(
            `mrm alert: HTTP ${response.status}${response.headers?.['Retry-After'] ? ` (retry after ${response.headers['Retry-After']} s)` : ''}\n`,
          );
          io.setExitCode(1);
        }
      } finally {
        await local?.stop();
      }
    });
}

async function readPayload(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new MrmError(
      'bad-input',
      'CLI.PAYLOAD_UNREADABLE',
      `Cannot read payload file ${path}: ${errorMessage(error)}`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new MrmError(
      'bad-input',
      'CLI.PAYLOAD_NOT_JSON',
      `Payload file ${path} is not valid JSON: ${errorMessage(error)}`,
    );
  }
}

/**
 * In a dry run the alert rule's tags come from --rule-tag, or are not read at all (routing then goes by the rule's
 * name), so every payload gets its answer offline. A live run reads them from Azure, as the webhook does.
 */
function ruleTagsOf(pairs: readonly string[], dryRun: boolean): RuleTagReader {
  if (pairs.length > 0 && !dryRun)
    throw new MrmError('bad-input', 'CLI.ARGUMENT', "--rule-tag needs --dry-run: a live run reads the rule's own tags");
  const tags: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new MrmError('bad-input', 'CLI.ARGUMENT', `--rule-tag must be key=value, got "${pair}"`);
    tags[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return {
    tagsOf: async () =>
      pairs.length > 0
        ? { kind: 'found', tags }
        : { kind: 'unavailable', reason: 'not read in a dry run (pass --rule-tag mrm-model=<model> to route by tag)' },
  };
}

function unwrapSettings(env: Environment) {
  const loaded = loadSettings(env);
  if (!loaded.ok) throw MrmError.fromFailure(loaded.error);
  return loaded.value;
}
