/**
 * When a CronJob runs next, from its `spec.schedule` and `spec.timeZone`, as the CronJob
 * controller reads them: the standard five fields (minute hour day-of-month month day-of-week,
 * names allowed, `?` as `*`) or a descriptor (`@hourly`, `@daily`, `@midnight`, `@weekly`,
 * `@monthly`, `@yearly`, `@annually`) through robfig/cron's `ParseStandard`, where a day that
 * matches either day-of-month or day-of-week (when both are restricted) runs — Vixie cron's OR.
 * The time zone is the CronJob's `timeZone`, else the controller's (UTC on every distribution we
 * know; shown as such). Parsing and the calendar arithmetic are croner's.
 *
 * Answers the next run strictly after `after` (a Date), or `{ problem }` in words when the
 * schedule cannot be read here (e.g. `@every 1h`, whose next run depends on the last one).
 * croner (11 KB gz) is loaded on the first call: only a CronJob's page needs it, and this
 * library is part of every page's initial JavaScript.
 */
export async function nextCronRun(schedule: string, timeZone: string | undefined, after: Date): Promise<{ next: Date; timeZone: string } | { problem: string }> {
  const pattern = schedule.trim();
  const zone = timeZone || 'UTC';
  if (pattern.startsWith('@every')) return { problem: `"${pattern}" runs at a fixed interval after the last run` };
  if (/^(CRON_)?TZ=/.test(pattern)) return { problem: `"${pattern}" names its time zone in the schedule, which Kubernetes refuses; use spec.timeZone` };
  const descriptors: Record<string, string> = { '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0', '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *' };
  const fields = descriptors[pattern.toLowerCase()] ?? pattern;
  if (fields.split(/\s+/).length !== 5) return { problem: `"${pattern}" is not five fields (minute hour day-of-month month day-of-week)` };
  const { Cron } = await import('croner');
  try {
    const next = new Cron(fields, { timezone: zone, mode: '5-part', domAndDow: false, paused: true }).nextRun(after);
    return next ? { next, timeZone: zone } : { problem: `"${pattern}" never runs again` };
  } catch (err) {
    return { problem: `"${pattern}" could not be read: ${(err as Error).message}` };
  }
}
