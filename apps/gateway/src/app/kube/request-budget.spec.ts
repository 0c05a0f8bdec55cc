import { BudgetCaller, RequestBudget } from './request-budget';

const verified = (identity: string): BudgetCaller => ({ identity, verified: true, source: '10.0.0.1' });

describe('RequestBudget', () => {
  it('lets a caller burst, then holds them to the rate with a 429 that says when to retry', () => {
    const budget = new RequestBudget(2, 4);
    const t0 = 1_000_000;
    for (let i = 0; i < 4; i++) budget.take(verified('user:alice'), 'prod', t0);
    let refused: unknown;
    try {
      budget.take(verified('user:alice'), 'prod', t0);
    } catch (err) {
      refused = err;
    }
    expect(refused).toMatchObject({ headers: { 'retry-after': '1' } });
    expect((refused as Error).message).toBe('You are sending more than 2 requests a second to cluster prod; slow down and retry in 1 s.');
    expect((refused as { getStatus(): number }).getStatus()).toBe(429);
    // Half a second later one request has refilled.
    expect(() => budget.take(verified('user:alice'), 'prod', t0 + 500)).not.toThrow();
  });

  it('keeps callers and clusters apart', () => {
    const budget = new RequestBudget(1, 1);
    budget.take(verified('user:alice'), 'prod', 0);
    expect(() => budget.take(verified('user:bob'), 'prod', 0)).not.toThrow();
    expect(() => budget.take(verified('user:alice'), 'staging', 0)).not.toThrow();
    expect(() => budget.take(verified('user:alice'), 'prod', 0)).toThrow(/more than 1 requests a second/);
  });

  it('holds 300 different made-up bearers from one address to one per-source bucket', () => {
    const budget = new RequestBudget(50, 200, 50);
    let refused = 0;
    for (let i = 0; i < 300; i++) {
      try {
        budget.take({ identity: `bearer:junk-${i}`, verified: false, source: '192.0.2.7' }, 'prod', 0);
      } catch (err) {
        refused++;
        expect((err as Error).message).toContain('CAIRN_SOURCE_REQUEST_RATE');
      }
    }
    expect(refused).toBe(100);
    // A verified caller from the same address is not held by the junk.
    expect(() => budget.take({ identity: 'user:alice', verified: true, source: '192.0.2.7' }, 'prod', 0)).not.toThrow();
  });
});
