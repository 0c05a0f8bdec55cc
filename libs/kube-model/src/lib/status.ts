/** How healthy an object is, in one word and a colour. */
export type Health = 'ok' | 'progressing' | 'warning' | 'failed' | 'done' | 'suspended';

export interface Status {
  health: Health;
  /** What kubectl's STATUS column would say, e.g. `CrashLoopBackOff`, `Init:0/1`, `3/3 ready`. */
  text: string;
}

/** Healths that need someone's attention, for "problems only" filters and overviews. */
export const PROBLEM_HEALTHS: readonly Health[] = ['failed', 'warning'];
