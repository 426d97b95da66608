import { Command } from 'commander';

// Placeholder until its issue lands: says so instead of pretending.
export function sendCommand(): Command {
  return new Command('send').description('(not built yet)').action(() => {
    process.stderr.write('mrm send: not built yet\n');
    process.exitCode = 2;
  });
}
