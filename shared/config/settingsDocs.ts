import type { SettingSpec } from './setting.js';

/** The README's settings table, generated from the declarations so it cannot drift from the code. */
export function settingsMarkdownTable(specs: readonly SettingSpec<unknown>[]): string {
  const rows = specs.map((s) => {
    const value = s.defaultValue === undefined ? '(unset)' : `\`${String(s.defaultValue)}\``;
    const doc = s.doc.replace(/\|/g, '\\|').replace(/\n/g, ' ');
    return `| \`${s.env}\` | ${value} | ${s.usedBy.join(', ')} | ${doc} |`;
  });
  return ['| Setting | Default | Used by | What it does |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/**
 * local.settings.json for `func start` with Azurite and the Event Hubs emulator: the host's own values, then every
 * setting of the app with its default (secrets empty). Connection strings here are the emulators' published ones.
 */
export function localSettingsSample(specs: readonly SettingSpec<unknown>[]): Record<string, unknown> {
  const values: Record<string, string> = {
    AzureWebJobsStorage: 'UseDevelopmentStorage=true',
    FUNCTIONS_WORKER_RUNTIME: 'node',
    EventHubConnection:
      'Endpoint=sb://localhost;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;',
  };
  for (const s of specs) {
    values[s.env] = s.sample ?? (s.secret || s.defaultValue === undefined ? '' : String(s.defaultValue));
  }
  return { IsEncrypted: false, Values: values };
}
