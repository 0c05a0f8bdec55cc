import type { WritableSignal } from '@angular/core';
import { ApiError } from '@cairn/data-access';

/**
 * What the last action on a page did, in words: done, or why it was refused; `refusal` is the
 * API server's 403 message, which the page explains with `WhyCantI`.
 */
export type ActionNotice = { ok: boolean; text: string; refusal?: string } | undefined;

/**
 * Runs a change the person asked for: `busy` while it runs, then `notice` says `done` (left
 * unset when empty) or "Could not <what>: <the API server's reason>". Answers whether it was made.
 */
export async function runAction(state: { busy: WritableSignal<boolean>; notice: WritableSignal<ActionNotice> }, what: string, action: () => Promise<unknown>, done: string): Promise<boolean> {
  state.busy.set(true);
  state.notice.set(undefined);
  try {
    await action();
    if (done) state.notice.set({ ok: true, text: done });
    return true;
  } catch (err) {
    state.notice.set({ ok: false, text: `Could not ${what}: ${err instanceof ApiError ? err.message : (err as Error).message}`, ...(err instanceof ApiError && err.forbidden ? { refusal: err.message } : {}) });
    return false;
  } finally {
    state.busy.set(false);
  }
}
