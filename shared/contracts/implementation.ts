/**
 * Which implementation of a step that has a fast path runs: `plain`, the reference a reader meets first (JSON.parse
 * and the schema, avsc, a JavaScript loop), or `fast`, kept in the area's `fast/` folder, which a contract suite run
 * against both holds to the plain answer on every input. Fast paths are the default where `npm run bench` shows them
 * faster; `plain` is there for tests, benchmarks and a reader.
 */
export type Implementation = 'plain' | 'fast';
