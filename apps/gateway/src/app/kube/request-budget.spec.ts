import { RequestBudget } from './request-budget';

describe('RequestBudget', () => {
  it('lets a caller burst, then holds them to the rate with a 429 that says when to retry', () => {
    const budget = new RequestBudget(2, 4);
    const t0 = 1_000_000;
    for (let i = 0; i < 4; i++) budget.take('alice-token', 'prod', t0);
    let refused: unknown;
    try {
      budget.take('alice-token', 'prod', t0);
    } catch (err) {
      refused = err;
    }
    expect(refused).toMatchObject({ headers: { 'retry-after': '1' } });
    expect((refused as Error).message).toBe('You are sending more than 2 requests a second to cluster prod; slow down and retry in 1 s.');
    expect((refused as { getStatus(): number }).getStatus()).toBe(429);
    // Half a second later one request has refilled.
    expect(() => budget.take('alice-token', 'prod', t0 + 500)).not.toThrow();
  });

  it('keeps callers and clusters apart', () => {
    const budget = new RequestBudget(1, 1);
    budget.take('alice-token', 'prod', 0);
    expect(() => budget.take('bob-token', 'prod', 0)).not.toThrow();
    expect(() => budget.take('alice-token', 'staging', 0)).not.toThrow();
    expect(() => budget.take('alice-token', 'prod', 0)).toThrow(/more than 1 requests a second/);
  });
});
