/**
 * Runs `work` for every item, at most `concurrency` at a time, in the items' order of starting.
 * Resolves when all are done; rejects with the first error `work` throws, after which no item is
 * started (the ones running finish or fail on their own: abort them through their signal). The
 * one bounded fan-out of the browser's data access (bulk actions, printed rows).
 */
export async function inPool<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    for (let index = next++; index < items.length && !failed; index = next++) {
      try {
        await work(items[index] as T, index);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, concurrency), items.length) }, worker));
}
