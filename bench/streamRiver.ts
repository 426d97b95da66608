import { execFile } from 'node:child_process';
import { repoPath } from '../cli/repoPath.js';

/** One stream file for River: `segment`-event runs of float32 (scores) or uint8 (errors), the change at `onset`. */
export interface RiverStream {
  name: string;
  path: string;
  dtype: 'uint8' | 'float32';
  segment: number;
  onset: number | null;
}

export interface RiverFigures {
  stream: string;
  detector: string;
  params: Record<string, number>;
  events: number;
  falseAlarms: number;
  delays: Array<number | null>;
}

/** River's ADWIN, PageHinkley and DDM over every stream, through scripts/stream/river_detectors.py. */
export async function runRiver(python: string, streams: RiverStream[]): Promise<RiverFigures[] | { skipped: string }> {
  const script = repoPath('scripts', 'stream', 'river_detectors.py');
  try {
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = execFile(python, [script], { timeout: 7_200_000, maxBuffer: 1 << 24 }, (error, out, err) =>
        error ? reject(new Error(`${error.message}\n${err.trim().split('\n').slice(-3).join('\n')}`)) : resolve(out),
      );
      child.stdin!.end(JSON.stringify({ streams }));
    });
    return stdout
      .trim()
      .split('\n')
      .map((line) => {
        const r = JSON.parse(line) as RiverFigures;
        return {
          stream: r.stream,
          detector: r.detector,
          params: r.params,
          events: r.events,
          falseAlarms: r.falseAlarms,
          delays: r.delays,
        };
      });
  } catch (error) {
    return {
      skipped: `River failed through ${python}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    };
  }
}
