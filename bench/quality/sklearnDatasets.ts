import { readFileSync } from 'node:fs';
import { repoPath } from '../../cli/repoPath.js';
import type { SchemaColumn } from '../../shared/drift/schema.js';

/** The datasets scripts/golden/sklearn_datasets.py exports from scikit-learn (they ship inside it: no download). */
export const SKLEARN_DATASETS = ['breast_cancer', 'wine', 'diabetes', 'digits', 'iris'] as const;
export type SklearnDataset = (typeof SKLEARN_DATASETS)[number];

/** A dataset's feature columns (numeric; the `target` column, when present, left out) and its row count. */
export function readSklearnDataset(name: SklearnDataset): { rows: number; columns: SchemaColumn[] } {
  const path = repoPath('test', 'fixtures', 'sklearn', `${name}.csv`);
  const [header, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  const names = header!.split(',');
  const rows = lines.map((l) => l.split(','));
  const columns: SchemaColumn[] = names.flatMap((column, j) =>
    column === 'target'
      ? []
      : [{ name: column, type: 'numeric' as const, values: Float64Array.from(rows, (r) => Number(r[j])) }],
  );
  return { rows: rows.length, columns };
}
