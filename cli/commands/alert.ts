import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import type { Environment } from '../../shared/config/settings.js';
import { loadSettings } from '../../shared/config/settings.js';
import { MrmError, errorMessage } from '../../shared/errors.js';
import { buildRetrainService } from '../../shared/compose/retrainService.js';
import { retrainingSettingsProblems } from '../../shared/config/retrainingSettingsCheck.js';
import { printable } from '../../shared/printable.js';

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
    .action(async (opts: { payload: string; dryRun: boolean }) => {
      const loaded = loadSettings(io.env);
      if (!loaded.ok) throw MrmError.fromFailure(loaded.error);
      const problems = retrainingSettingsProblems(loaded.value);
      if (problems.length > 0)
        throw new MrmError('configuration', 'CONFIG.INVALID', `Invalid settings: ${problems.join('; ')}`);
      const connection = loaded.value.core.storageConnection;
      if (!io.env[connection] && !io.env[`${connection}__blobServiceUri`] && !io.env[`${connection}__accountName`]) {
        throw new MrmError(
          'configuration',
          'CONFIG.STORAGE_CONNECTION',
          `mrm alert keeps claims, cooldowns and the audit log in storage: set ${connection} to a connection string (for Azurite: UseDevelopmentStorage=true, or the one \`npm run demo\` prints) or ${connection}__blobServiceUri`,
        );
      }

      let text: string;
      try {
        text = await readFile(opts.payload, 'utf8');
      } catch (error) {
        throw new MrmError(
          'bad-input',
          'CLI.PAYLOAD_UNREADABLE',
          `Cannot read payload file ${opts.payload}: ${errorMessage(error)}`,
        );
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (error) {
        throw new MrmError(
          'bad-input',
          'CLI.PAYLOAD_NOT_JSON',
          `Payload file ${opts.payload} is not valid JSON: ${errorMessage(error)}`,
        );
      }

      const service = buildRetrainService(loaded.value, io.env, { dryRun: opts.dryRun });
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
    });
}
