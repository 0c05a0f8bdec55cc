import { ApiError } from './api-client';
import { BULK_CONCURRENCY, bulkSelectionProblem, MAX_BULK_OBJECTS, runBulk } from './bulk-run';

/** The bulk runner's own rules: its bounds, its order, and that nothing stops at a failure. */
describe('runBulk', () => {
  it('runs every target, at most BULK_CONCURRENCY at a time, and keeps going past failures', async () => {
    let inFlight = 0;
    let most = 0;
    const heard: string[] = [];
    const outcomes = await runBulk(
      Array.from({ length: 10 }, (_, i) => i),
      async (i) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        if (i % 3 === 0) throw new ApiError(403, `deployments "d${i}" is forbidden`);
        return `d${i} deleted`;
      },
      { onOutcome: (o) => heard.push(o.result) },
    );
    expect(most).toBe(BULK_CONCURRENCY);
    expect(heard).toHaveLength(10);
    expect(outcomes.map((o) => o.result)).toEqual(['failed', 'done', 'done', 'failed', 'done', 'done', 'failed', 'done', 'done', 'failed']);
    expect(outcomes[3]).toEqual({ target: 3, result: 'failed', reason: 'deployments "d3" is forbidden', status: 403 });
    expect(outcomes[4]).toEqual({ target: 4, result: 'done', detail: 'd4 deleted' });
  });

  it('sends a 429 once more after its Retry-After', async () => {
    let calls = 0;
    const [outcome] = await runBulk(['web'], async () => {
      if (calls++ === 0) throw new ApiError(429, 'Too many requests (CAIRN_USER_REQUEST_RATE).', 0.01);
      return 'ok';
    });
    expect(calls).toBe(2);
    expect(outcome).toEqual({ target: 'web', result: 'done', detail: 'ok' });
  });

  it(`refuses more than MAX_BULK_OBJECTS (${MAX_BULK_OBJECTS}) targets before sending anything, naming the bound`, async () => {
    let calls = 0;
    const act = async () => String(++calls);
    expect(bulkSelectionProblem(MAX_BULK_OBJECTS)).toBeUndefined();
    await expect(runBulk(Array.from({ length: MAX_BULK_OBJECTS + 1 }, (_, i) => i), act)).rejects.toThrow(`At most ${MAX_BULK_OBJECTS} objects can be changed at once (MAX_BULK_OBJECTS); ${MAX_BULK_OBJECTS + 1} are selected.`);
    expect(calls).toBe(0);
    expect(await runBulk(Array.from({ length: MAX_BULK_OBJECTS }, (_, i) => i), act)).toHaveLength(MAX_BULK_OBJECTS);
  });
});
