import { Command } from 'commander';

// Placeholder until its issue lands: says so instead of pretending.
export function demoCommand(): Command {
  return new Command('demo').description('(not built yet)').action(() => {
    process.stderr.write('mrm demo: not built yet\n');
    process.exitCode = 2;
  });
}
