/**
 * The JSON log lines a gateway in this process writes (CAIRN_LOG_FORMAT=json), kept here
 * instead of in the test output: the audit lines a test reads. Call `restore` after the tests.
 */
export function captureJsonLogs(): { lines: string[]; audits(from?: number): Array<Record<string, unknown>>; restore(): void } {
  const lines: string[] = [];
  const original = process.stdout.write;
  const write = original.bind(process.stdout) as (c: string | Uint8Array, ...r: unknown[]) => boolean;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.includes('"context"')) {
      lines.push(...text.split('\n').filter(Boolean));
      return true;
    }
    return write(chunk, ...rest);
  }) as typeof process.stdout.write;
  return {
    lines,
    /** The audit lines (logger `Audit`) written since line `from`, parsed. */
    audits: (from = 0) =>
      lines
        .slice(from)
        .map((l) => JSON.parse(l) as { context?: string; message?: string })
        .filter((l) => l.context === 'Audit')
        .map((l) => JSON.parse(l.message as string) as Record<string, unknown>),
    restore: () => {
      process.stdout.write = original;
    },
  };
}
