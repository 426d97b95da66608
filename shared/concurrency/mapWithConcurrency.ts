import { TaskPool } from './taskPool.js';

/**
 * Runs `task` over every item with at most `limit` running at once and answers the results in item order. `task` is
 * expected not to reject (scorers turn failures into values); if it does, no further item starts and the first
 * rejection propagates as a bug.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  const pool = new TaskPool(Math.max(1, limit));
  for (let index = 0; index < items.length; index++) {
    await pool.submit(async () => {
      results[index] = await task(items[index]!, index);
    });
  }
  await pool.drain();
  return results;
}
