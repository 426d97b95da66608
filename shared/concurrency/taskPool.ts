/**
 * The one concurrency helper: runs at most `limit` tasks at once, with back-pressure: `submit` waits for a free slot
 * before starting the task, so a producer faster than its tasks cannot pile up unbounded work. The first failure is
 * kept and rethrown by the next `whenFree`, `submit` or `drain`, so no error is lost and the producer stops early.
 */
export class TaskPool {
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a whole number >= 1, got ${limit}`);
  }

  /** Waits for a free slot (rethrowing the first failure): a producer may decide after it whether to submit more. */
  async whenFree(): Promise<void> {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    this.rethrow();
  }

  async submit(task: () => Promise<unknown>): Promise<void> {
    await this.whenFree();
    const run: Promise<void> = task().then(
      () => undefined,
      (error: unknown) => {
        this.failure ??= { error };
      },
    );
    const tracked = run.finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  /** Waits for every submitted task; rethrows the first failure. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.race(this.running);
    this.rethrow();
  }

  private rethrow(): void {
    if (this.failure) throw this.failure.error;
  }
}
