import { describe, expect, it } from 'vitest';
import { TaskPool } from '../../../shared/concurrency/taskPool.js';

const tick = (ms = 1) => new Promise((resolve) => setTimeout(resolve, ms));

describe('TaskPool', () => {
  it('never runs more than its limit at once, and drain waits for every task', async () => {
    const pool = new TaskPool(3);
    let running = 0;
    let peak = 0;
    let done = 0;
    for (let i = 0; i < 20; i++) {
      await pool.submit(async () => {
        running++;
        peak = Math.max(peak, running);
        await tick(1 + (i % 3));
        running--;
        done++;
      });
      expect(running).toBeLessThanOrEqual(3);
    }
    await pool.drain();
    expect(done).toBe(20);
    expect(peak).toBe(3);
  });

  it('rethrows the first failure from drain, and from the next submit, without starting more tasks', async () => {
    const pool = new TaskPool(2);
    await pool.submit(async () => {
      throw new Error('storage down');
    });
    await tick(5);
    let started = false;
    await expect(
      pool.submit(async () => {
        started = true;
      }),
    ).rejects.toThrow('storage down');
    expect(started).toBe(false);
    await expect(pool.drain()).rejects.toThrow('storage down');
  });

  it('refuses a limit that is not a positive whole number', () => {
    expect(() => new TaskPool(0)).toThrow('limit must be a whole number >= 1, got 0');
  });
});
