import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One printed figure: Cairn's value, the baseline measured in the same run beside it, their
 * ratio, and the target when the issue sets one. A missed target carries the reason.
 */
export interface Figure {
  /** e.g. "1 list" */
  benchmark: string;
  name: string;
  unit: string;
  /** Undefined when it could not be measured (see `reason`). */
  value?: number;
  baseline?: { label: string; value: number };
  /** value / baseline.value, unless given otherwise (e.g. against a budget). */
  ratio?: number;
  target?: string;
  /** Undefined when there is no target. */
  met?: boolean;
  /** Why a target was missed, or why nothing was measured. */
  reason?: string;
}

export function figure(f: Figure): Figure {
  if (f.ratio === undefined && f.value !== undefined && f.baseline && f.baseline.value > 0) f.ratio = f.value / f.baseline.value;
  return f;
}

/** A figure for a benchmark that could not run, with why. */
export function notMeasured(benchmark: string, name: string, reason: string): Figure {
  return { benchmark, name, unit: '', reason, met: undefined };
}

function formatNumber(value: number | undefined, unit: string): string {
  if (value === undefined || Number.isNaN(value)) return '—';
  const digits = Math.abs(value) >= 100 || Number.isInteger(value) ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits })}${unit ? ` ${unit}` : ''}`;
}

export function verdict(f: Figure): string {
  if (f.value === undefined) return `NOT MEASURED: ${f.reason ?? 'unknown'}`;
  if (f.met === undefined) return f.reason ?? '';
  return f.met ? 'met' : `MISSED: ${f.reason ?? 'no reason recorded'}`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownTable(figures: Figure[]): string {
  const rows = [
    '| # | Figure | Cairn | Baseline (same run) | Ratio | Target | Result |',
    '|---|---|---|---|---|---|---|',
    ...figures.map((f) =>
      [
        f.benchmark,
        f.name,
        formatNumber(f.value, f.unit),
        f.baseline ? `${formatNumber(f.baseline.value, f.unit)} (${f.baseline.label})` : '—',
        f.ratio === undefined || !Number.isFinite(f.ratio) ? '—' : `${f.ratio.toFixed(2)}×`,
        f.target ?? '—',
        verdict(f),
      ]
        .map(cell)
        .join(' | '),
    ).map((r) => `| ${r} |`),
  ];
  return rows.join('\n');
}

export interface RunReport {
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  options: unknown;
  machine: { cpus: number; node: string; platform: string };
  figures: Figure[];
  /** Raw summaries and diagnostics per benchmark. */
  details: Record<string, unknown>;
}

/** Writes bench/results/<stamp>.json and .md; returns their paths. */
export function writeReport(resultsDir: string, stamp: string, report: RunReport): { json: string; markdown: string } {
  mkdirSync(resultsDir, { recursive: true });
  const json = join(resultsDir, `${stamp}.json`);
  const markdown = join(resultsDir, `${stamp}.md`);
  writeFileSync(json, JSON.stringify(report, null, 2));
  writeFileSync(
    markdown,
    [
      `# Cairn benchmarks, ${report.startedAt}`,
      '',
      `${report.machine.cpus} CPUs, Node ${report.machine.node}, ${Math.round(report.durationSeconds)} s. Ratios are against the baseline measured in the same run.`,
      '',
      markdownTable(report.figures),
      '',
    ].join('\n'),
  );
  return { json, markdown };
}
