/**
 * Deletes at most `limit` rows; returns how many went, or null when another instance holds this
 * job's lock (it is doing the same work right now).
 */
export type DeleteBatch = (limit: number) => Promise<number | null>;

export interface BatchLoopOptions {
  batchSize: number;
  /** Pause between batches, so request traffic gets the database (and PGlite's one connection). */
  pauseMs: number;
  sleep: (ms: number) => Promise<void>;
  /** Checked before each batch: true once the application is shutting down. */
  shouldStop: () => boolean;
}

export interface BatchLoopResult {
  deleted: number;
  batches: number;
  /** Why the loop ended before running out of rows, if it did. */
  interrupted: 'locked' | 'stopping' | null;
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms).unref?.());

/**
 * Runs `deleteBatch` until a batch comes back short: each statement touches a bounded number of
 * rows (short locks, small WAL), and the pause between statements keeps a backlog of a million
 * rows from stalling requests.
 */
export async function deleteInBatches(
  deleteBatch: DeleteBatch,
  options: BatchLoopOptions,
): Promise<BatchLoopResult> {
  const result: BatchLoopResult = { deleted: 0, batches: 0, interrupted: null };
  for (;;) {
    if (options.shouldStop()) return { ...result, interrupted: 'stopping' };
    const deleted = await deleteBatch(options.batchSize);
    if (deleted === null) return { ...result, interrupted: 'locked' };
    result.batches++;
    result.deleted += deleted;
    if (deleted < options.batchSize) return result;
    await options.sleep(options.pauseMs);
  }
}
