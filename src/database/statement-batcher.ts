/**
 * Group execution of one hot statement (docs/performance.md, docs/architecture.md §5): the items
 * submitted in one event-loop turn, and those submitted while `maxInFlight` batches are being
 * run, go to the database together as ONE statement over arrays (one round trip, one commit).
 * Each caller still gets its own result only once its batch is done, so nothing is answered
 * before it is stored.
 *
 * One bad item must not fail the others: when a batch of several fails, each item is run again
 * alone (a batch is one statement, so the failed one wrote nothing) and only the culprit fails.
 */
export interface BatchOptions<In, Out> {
  /** Items per statement at most. */
  maxBatch: number;
  /** Batches running at once at most; items submitted meanwhile wait for the next. */
  maxInFlight: number;
  /** Runs one statement for `items`; answers one result per item, in order. */
  run: (items: In[]) => Promise<Out[]>;
}

interface Pending<In, Out> {
  item: In;
  resolve: (value: Out) => void;
  reject: (err: unknown) => void;
}

export class StatementBatcher<In, Out> {
  private pending: Pending<In, Out>[] = [];
  private scheduled = false;
  private inFlight = 0;

  constructor(private readonly options: BatchOptions<In, Out>) {
    if (options.maxBatch < 1 || options.maxInFlight < 1) throw new RangeError('maxBatch and maxInFlight must be at least 1');
  }

  submit(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** A flush at the end of this turn, unless enough batches are running already. */
  private schedule(): void {
    if (this.scheduled || this.pending.length === 0 || this.inFlight >= this.options.maxInFlight) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending.splice(0, this.options.maxBatch);
    if (batch.length === 0) return;
    this.inFlight++;
    this.execute(batch)
      .catch((err: unknown) => (batch.length > 1 ? this.oneByOne(batch) : batch[0].reject(err)))
      .finally(() => {
        this.inFlight--;
        this.schedule();
      });
    this.schedule();
  }

  private async execute(batch: Pending<In, Out>[]): Promise<void> {
    const results = await this.options.run(batch.map((p) => p.item));
    if (results.length !== batch.length) throw new Error(`batch answered ${results.length} results for ${batch.length} items`);
    batch.forEach((p, i) => p.resolve(results[i]));
  }

  private async oneByOne(batch: Pending<In, Out>[]): Promise<void> {
    await Promise.all(batch.map((p) => this.execute([p]).catch(p.reject)));
  }
}
