import { BatchLoopOptions, deleteInBatches } from './batched-delete';

/** A table of `rows` expired rows that deletes at most `limit` per call. */
function table(rows: number) {
  const state = { rows, calls: [] as number[] };
  const deleteBatch = jest.fn(async (limit: number) => {
    const n = Math.min(limit, state.rows);
    state.rows -= n;
    state.calls.push(n);
    return n;
  });
  return { state, deleteBatch };
}

describe(deleteInBatches.name, () => {
  let sleeps: number[];
  let options: BatchLoopOptions;

  beforeEach(() => {
    sleeps = [];
    options = {
      batchSize: 1000,
      pauseMs: 25,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      shouldStop: () => false,
    };
  });

  it('should delete in batches of at most batchSize, pausing between them', async () => {
    const { state, deleteBatch } = table(2500);
    const result = await deleteInBatches(deleteBatch, options);
    expect(result).toEqual({ deleted: 2500, batches: 3, interrupted: null });
    expect(state.calls).toEqual([1000, 1000, 500]);
    expect(deleteBatch.mock.calls.every(([limit]) => limit === 1000)).toBe(true);
    expect(sleeps).toEqual([25, 25]);
  });

  it('should need one more, empty, batch when the count is a multiple of batchSize', async () => {
    const { state, deleteBatch } = table(2000);
    expect(await deleteInBatches(deleteBatch, options)).toEqual({
      deleted: 2000,
      batches: 3,
      interrupted: null,
    });
    expect(state.calls).toEqual([1000, 1000, 0]);
  });

  it('should run one statement and no pause when nothing is due', async () => {
    const { deleteBatch } = table(0);
    expect(await deleteInBatches(deleteBatch, options)).toEqual({
      deleted: 0,
      batches: 1,
      interrupted: null,
    });
    expect(sleeps).toEqual([]);
  });

  it('should leave the work to the instance holding the lock', async () => {
    const deleteBatch = jest
      .fn<Promise<number | null>, [number]>()
      .mockResolvedValueOnce(1000)
      .mockResolvedValueOnce(null);
    expect(await deleteInBatches(deleteBatch, options)).toEqual({
      deleted: 1000,
      batches: 1,
      interrupted: 'locked',
    });
    expect(deleteBatch).toHaveBeenCalledTimes(2);
  });

  it('should stop between batches once shutting down', async () => {
    const { state, deleteBatch } = table(10_000);
    let stop = false;
    options.shouldStop = () => stop;
    options.sleep = async () => {
      stop = true;
    };
    expect(await deleteInBatches(deleteBatch, options)).toEqual({
      deleted: 1000,
      batches: 1,
      interrupted: 'stopping',
    });
    expect(state.rows).toBe(9000);
  });

  it('should propagate a failing statement', async () => {
    const deleteBatch = jest.fn().mockRejectedValue(new Error('db down'));
    await expect(deleteInBatches(deleteBatch, options)).rejects.toThrow('db down');
  });
});
