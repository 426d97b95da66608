#!/usr/bin/env node
import { mrmProgram } from './program.js';

mrmProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    const code =
      typeof error === 'object' && error && 'code' in error ? ` [${String((error as { code: unknown }).code)}]` : '';
    process.stderr.write(`mrm: ${error instanceof Error ? error.message : String(error)}${code}\n`);
    process.exitCode = 1;
  });
