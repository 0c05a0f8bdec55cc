/**
 * Asks `probe` every 250 ms until it answers something other than undefined or false (a probe
 * that throws counts as not yet), then returns that; past `timeoutMs` (wall time) it throws
 * naming `what`. For waiting on the real cluster's controllers and kwok.
 */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
