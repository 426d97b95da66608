import { Command } from 'commander';

// Placeholder until its issue lands: says so instead of pretending.
export function scoreCommand(): Command {
  return new Command('score').description('(not built yet)').action(() => {
    process.stderr.write('mrm score: not built yet\n');
    process.exitCode = 2;
  });
}
