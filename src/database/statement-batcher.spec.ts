import { StatementBatcher } from './statement-batcher';

/** A statement that records each batch it is given and answers each item doubled, after a while. */
function doubling(options: { maxBatch?: number; maxInFlight?: number; fails?: (items: number[]) => boolean } = {}) {
  const batches: number[][] = [];
  let running = 0;
  let mostRunning = 0;
  const batcher = new StatementBatcher<number, number>({
    maxBatch: options.maxBatch ?? 100,
    maxInFlight: options.maxInFlight ?? 2,
    run: async (items) => {
      batches.push(items);
      running++;
      mostRunning = Math.max(mostRunning, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      if (options.fails?.(items)) throw new Error(`bad batch ${items.join(',')}`);
      return items.map((i) => i * 2);
    },
  });
  return { batcher, batches, mostRunning: () => mostRunning };
}

describe(StatementBatcher.name, () => {
  it('should send the items of one turn as one batch and answer each its own result', async () => {
    const { batcher, batches } = doubling();
    const results = await Promise.all([1, 2, 3].map((i) => batcher.submit(i)));
    expect(results).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('should keep at most maxInFlight batches running, and gather what arrives meanwhile into the next', async () => {
    const { batcher, batches, mostRunning } = doubling({ maxInFlight: 1 });
    const first = batcher.submit(1);
    await new Promise((r) => setImmediate(r)); // the first batch is running now
    const later = [2, 3, 4].map((i) => batcher.submit(i));
    expect(await Promise.all([first, ...later])).toEqual([2, 4, 6, 8]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
    expect(mostRunning()).toBe(1);
  });

  it('should split into batches of at most maxBatch items', async () => {
    const { batcher, batches } = doubling({ maxBatch: 2, maxInFlight: 5 });
    expect(await Promise.all([1, 2, 3, 4, 5].map((i) => batcher.submit(i)))).toEqual([2, 4, 6, 8, 10]);
    expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
  });

  it('should fail only the culprit when a batch of several fails: each item is run again alone', async () => {
    const { batcher, batches } = doubling({ fails: (items) => items.includes(13) });
    const outcomes = await Promise.allSettled([12, 13, 14].map((i) => batcher.submit(i)));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(outcomes[0]).toMatchObject({ value: 24 });
    expect(outcomes[1]).toMatchObject({ reason: new Error('bad batch 13') });
    expect(batches).toEqual([[12, 13, 14], [12], [13], [14]]);
  });

  it('should reject every item of a batch whose statement answers the wrong number of results', async () => {
    const batcher = new StatementBatcher<number, number>({ maxBatch: 10, maxInFlight: 1, run: async () => [] });
    await expect(batcher.submit(1)).rejects.toThrow('batch answered 0 results for 1 items');
  });

  it('should keep working after a failed batch', async () => {
    let fail = true;
    const batcher = new StatementBatcher<number, number>({
      maxBatch: 10,
      maxInFlight: 1,
      run: async (items) => {
        if (fail) throw new Error('database unavailable');
        return items;
      },
    });
    await expect(batcher.submit(1)).rejects.toThrow('database unavailable');
    fail = false;
    await expect(batcher.submit(2)).resolves.toBe(2);
  });
});
