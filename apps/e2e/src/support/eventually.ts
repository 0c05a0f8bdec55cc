/**
 * Reads `read()` until `ok` accepts its value, for what no locator can wait on (an HTTP answer,
 * a number in a status line, a text area's value); then expects it to hold, so a story that
 * runs out of time fails with the last value seen, never moves on quietly. The deadline is
 * wall time, not a count of tries: a loaded machine gets the same time as an idle one.
 */
export async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!ok(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    value = await read();
  }
  expect(ok(value) ? 'ok' : value).toBe('ok');
  return value;
}
