#!/usr/bin/env node
// Regenerates examples/ from the built CLI (`npm run examples`); test/cli/examples.test.ts fails when they fall behind.
import { writeExamples } from '../dist/cli/examples/writeExamples.js';

const files = await writeExamples('examples');
process.stdout.write(`Wrote ${files.length} files under examples/\n`);
