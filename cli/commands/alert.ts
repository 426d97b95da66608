import { Command } from 'commander';

// Placeholder until its issue lands: says so instead of pretending.
export function alertCommand(): Command {
  return new Command('alert').description('(not built yet)').action(() => {
    process.stderr.write('mrm alert: not built yet\n');
    process.exitCode = 2;
  });
}
