import { benchCapture, formatCaptureFigures } from './capture.js';
import { benchDriftStats, formatDriftStatsFigures } from './driftStats.js';
import { benchFastPaths, formatFastPathsFigures } from './fastPaths.js';
import { benchForest, formatForestFigures } from './forest.js';
import { benchOnnx, formatOnnxFigures } from './onnx.js';
import { benchRollups, formatRollupFigures } from './rollups.js';
import { benchScoring, formatScoringFigures } from './scoring.js';
import { benchStream, formatStreamFigures } from './stream.js';

/**
 * `npm run bench`: every benchmark in one run, each against a ceiling or a peer measured in the same run, then peak
 * RSS. `--json` adds one JSON object with every figure on the last line. `--quick` runs smaller sizes.
 */
const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const figures: Record<string, unknown> = { node: process.version };

const scoring = await benchScoring(quick ? { events: 20_000, repeats: 1 } : {});
figures.scoring = scoring;
for (const line of formatScoringFigures(scoring)) console.log(line);

const onnx = await benchOnnx(quick ? { events: 20_000, repeats: 1 } : {});
figures.onnx = onnx;
for (const line of formatOnnxFigures(onnx)) console.log(line);

const forest = await benchForest(quick ? { rows: 20_000, repeats: 1 } : {});
figures.forest = forest;
for (const line of formatForestFigures(forest)) console.log(line);

const driftStats = benchDriftStats(quick ? { events: 100_000, repeats: 1 } : {});
figures.driftStats = driftStats;
for (const line of formatDriftStatsFigures(driftStats)) console.log(line);

const capture = await benchCapture(
  quick ? { events: 100_000, eventsPerFile: 50_000, largeMultiple: 0, repeats: 1 } : {},
);
figures.capture = capture;
for (const line of formatCaptureFigures(capture)) console.log(line);

const rollups = await benchRollups(quick ? { hours: 24 } : {});
figures.rollups = rollups;
for (const line of formatRollupFigures(rollups)) console.log(line);

const stream = await benchStream(quick ? { stationaryEvents: 1_000_000, repeats: 3 } : {});
figures.stream = stream;
for (const line of formatStreamFigures(stream)) console.log(line);

const fastPaths = await benchFastPaths(quick ? { events: 20_000, repeats: 1 } : {});
figures.fastPaths = fastPaths;
for (const line of formatFastPathsFigures(fastPaths)) console.log(line);

figures.peakRssInMiB = Math.round((process.resourceUsage().maxRSS * 1024) / 1048576);
console.log(`peak RSS of this process: ${String(figures.peakRssInMiB)} MiB`);
if (json) console.log(JSON.stringify(figures));
