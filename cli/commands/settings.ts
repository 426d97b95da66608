import { Command } from 'commander';
import { allSettingSpecs } from '../../shared/config/settings.js';
import { localSettingsSample, settingsMarkdownTable } from '../../shared/config/settingsDocs.js';

export function settingsCommand(): Command {
  return new Command('settings')
    .description('Print every setting with its default: a Markdown table, or a local.settings.json to start from')
    .option('--sample', 'print local.settings.json content for func start with Azurite and the Event Hubs emulator')
    .action((options: { sample?: boolean }) => {
      const specs = allSettingSpecs();
      process.stdout.write(
        options.sample
          ? `${JSON.stringify(localSettingsSample(specs), null, 2)}\n`
          : `${settingsMarkdownTable(specs)}\n`,
      );
    });
}
