import { numericAccuracy } from './numericAccuracy.js';

/** The quality benchmark: how right the numbers and verdicts are (issue 11). `--json` ends with one JSON line. */
const figures: Record<string, unknown> = { numericAccuracy: await numericAccuracy((line) => console.log(line)) };
if (process.argv.includes('--json')) console.log(JSON.stringify(figures));
