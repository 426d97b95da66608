import type { Random } from './random.js';

export interface HoldoutSplit {
  /** Row indices, ascending. */
  train: number[];
  heldOut: number[];
  /** Whether the split kept each label's share (labels given) or drew from all rows alike. */
  stratifiedBy: 'label' | null;
}

/**
 * A seeded split of rows into train and held-out: round(share · size) rows of each label class (and of the
 * unlabelled rows) go to held-out, so each class keeps its share on both sides; without labels, of all rows alike.
 */
export function splitHoldout(labels: ReadonlyArray<string | null>, share: number, random: Random): HoldoutSplit {
  const groups = new Map<string | null, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const key = labels[i] ?? null;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(i);
  }
  const stratified = [...groups.keys()].some((k) => k !== null);
  const train: number[] = [];
  const heldOut: number[] = [];
  // Groups in a fixed order (not first-seen): the same rows in another order give the same split sizes per class.
  const keys = [...groups.keys()].sort((a, b) => (a === null ? -1 : b === null ? 1 : a < b ? -1 : a > b ? 1 : 0));
  for (const key of keys) {
    const rows = groups.get(key)!;
    shuffle(rows, random);
    const held = Math.round(rows.length * share);
    heldOut.push(...rows.slice(0, held));
    train.push(...rows.slice(held));
  }
  return {
    train: train.sort((a, b) => a - b),
    heldOut: heldOut.sort((a, b) => a - b),
    stratifiedBy: stratified ? 'label' : null,
  };
}

/** `count` folds of `rows` (shuffled), as equal as can be. */
export function foldsOf(rows: readonly number[], count: number, random: Random): number[][] {
  const order = [...rows];
  shuffle(order, random);
  const folds: number[][] = Array.from({ length: count }, () => []);
  order.forEach((row, i) => folds[i % count]!.push(row));
  return folds;
}

function shuffle(array: number[], random: Random): void {
  for (let i = array.length - 1; i > 0; i--) {
    const j = random.nextInt(i + 1);
    const held = array[i]!;
    array[i] = array[j]!;
    array[j] = held;
  }
}
