/**
 * Group commit: writes requested while a flush is pending are committed together, in one
 * transaction, on the next turn of the event loop; each caller's promise settles when its write
 * has committed (or failed), so an answer never goes out before its data is stored. Under
 * concurrent requests this turns N small transactions into one; a lone request pays one
 * `setImmediate`. If a batch fails, its items are retried one by one so that one bad item
 * cannot fail its neighbours.
 */
export class GroupCommit<T> {
  private pending: { item: T; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;

  constructor(
    private readonly commit: (items: T[]) => Promise<unknown>,
    private readonly maxBatch = 500,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      try {
        await this.commit(batch.map((b) => b.item));
        for (const b of batch) b.resolve();
      } catch (err) {
        if (batch.length === 1) {
          batch[0]!.reject(err);
          continue;
        }
        for (const b of batch) await this.commit([b.item]).then(b.resolve, (e: unknown) => b.reject(e));
      }
    }
  }
}
