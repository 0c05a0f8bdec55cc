import { ApiError } from './api-client';
import { inPool } from './pool';

/**
 * Bounds of a bulk action (one action on many selected objects, each through its own audited
 * per-object request): at most `MAX_BULK_OBJECTS` objects at once, at most `BULK_CONCURRENCY`
 * requests in flight. With the gateway's default per-caller rate (CAIRN_USER_REQUEST_RATE, 50
 * a second, bursts of 200) a whole bulk action fits in one burst.
 */
export const MAX_BULK_OBJECTS = 100;
export const BULK_CONCURRENCY = 4;
/** Longest wait, in milliseconds, before a request the gateway answered 429 is sent once more. */
const MAX_RETRY_WAIT_MS = 5_000;

/** What happened to one object of a bulk action. */
export type BulkOutcome<T> =
  | { target: T; result: 'done'; detail: string }
  /** The request was sent and refused: the gateway's (usually the API server's) reason. */
  | { target: T; result: 'failed'; reason: string; status?: number }
  /** Not sent: the access review said no (its reason), or the action does not apply to it. */
  | { target: T; result: 'skipped'; reason: string };

/** Why `count` objects are too many for one bulk action, in words; undefined when they are not. */
export function bulkSelectionProblem(count: number): string | undefined {
  return count > MAX_BULK_OBJECTS ? `At most ${MAX_BULK_OBJECTS} objects can be changed at once (MAX_BULK_OBJECTS); ${count} are selected. Narrow the filter or the selection.` : undefined;
}

/**
 * Runs `act` for every target, `BULK_CONCURRENCY` at a time, and answers one outcome per
 * target in the targets' order. Nothing stops at a failure: each object gets `done` (with
 * what `act` answered) or `failed` (with the error's message and HTTP status). A 429 is sent
 * once more after its Retry-After (at most 5 s). `onOutcome` hears each outcome as it comes.
 * Throws, sending nothing, when the targets are more than `MAX_BULK_OBJECTS`.
 */
export async function runBulk<T>(
  targets: readonly T[],
  act: (target: T) => Promise<string>,
  options: { concurrency?: number; onOutcome?: (outcome: BulkOutcome<T>, index: number) => void } = {},
): Promise<BulkOutcome<T>[]> {
  const problem = bulkSelectionProblem(targets.length);
  if (problem) throw new Error(problem);
  const outcomes: BulkOutcome<T>[] = new Array(targets.length);
  // settle never throws: every target is tried.
  await inPool(targets, Math.min(options.concurrency ?? BULK_CONCURRENCY, BULK_CONCURRENCY), async (target, index) => {
    const outcome = await settle(target, act);
    outcomes[index] = outcome;
    options.onOutcome?.(outcome, index);
  });
  return outcomes;
}

async function settle<T>(target: T, act: (target: T) => Promise<string>): Promise<BulkOutcome<T>> {
  for (let attempt = 0; ; attempt++) {
    try {
      return { target, result: 'done', detail: await act(target) };
    } catch (err) {
      if (err instanceof ApiError && err.status === 429 && attempt === 0) {
        await new Promise((r) => setTimeout(r, Math.min((err.retryAfter ?? 1) * 1000, MAX_RETRY_WAIT_MS)));
        continue;
      }
      return { target, result: 'failed', reason: err instanceof Error ? err.message : String(err), status: err instanceof ApiError ? err.status : undefined };
    }
  }
}
