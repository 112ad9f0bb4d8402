/**
 * Measurement helpers shared by the benchmarks: repeated timing with warm-up and medians,
 * percentiles, the markdown table and the JSON results file. Benchmarks report figures; nothing
 * here asserts a threshold.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';

/** Value at quantile `q` (0…1) of a sample, by linear interpolation between order statistics. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

/** Median of a sample. */
export const median = (values: readonly number[]): number => quantile(values, 0.5);

/** Relative spread of a sample: (max − min) / median, to show how stable a figure was. */
export function spread(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return (Math.max(...values) - Math.min(...values)) / median(values);
}

/** Wall-clock milliseconds of one call (monotonic clock). */
export async function timeMs(fn: () => unknown): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** One measured figure in the results: a value with its unit and how it was obtained. */
export interface Figure {
  readonly name: string;
  readonly value: number | string | null;
  readonly unit: string;
  /** What the figure is judged against, when there is a target. */
  readonly target?: string;
  /** Whether the target was met (undefined when there is none or the figure is missing). */
  readonly isMet?: boolean;
  readonly note?: string;
}

/** A section of the report: a heading, its figures, and free-form detail kept in the JSON. */
export interface Section {
  readonly title: string;
  readonly figures: readonly Figure[];
  readonly detail?: unknown;
}

/** The machine a run came from: figures are only comparable on the same one. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  /** 1-minute load average when the run ended: other work on the machine skews every figure. */
  readonly loadAverage1m: number;
}

/** Describe this machine. */
export function machineInfo(): MachineInfo {
  const cs = cpus();
  return {
    cpuModel: cs[0]?.model ?? 'unknown',
    cores: cs.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** Format a number for the table: thousands separators, a sensible number of decimals. */
export function formatValue(v: number | string | null): string {
  if (v === null) return 'n/a';
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  const digits = abs === 0 ? 0 : abs >= 1000 ? 0 : abs >= 100 ? 1 : abs >= 1 ? 2 : abs >= 0.01 ? 4 : 6;
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** Escape a table cell (pipes and newlines would break the markdown table). */
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Render sections as markdown: one table per section (figure, value, unit, target, met, note). */
export function renderMarkdown(sections: readonly Section[]): string {
  const out: string[] = [];
  for (const s of sections) {
    out.push(
      `### ${s.title}`,
      '',
      '| figure | value | unit | target | met | note |',
      '|---|---:|---|---|---|---|',
    );
    for (const f of s.figures) {
      const met = f.isMet === undefined ? '' : f.isMet ? 'yes' : '**no**';
      out.push(
        `| ${cell(f.name)} | ${cell(formatValue(f.value))} | ${cell(f.unit)} | ${cell(f.target ?? '')} | ${met} | ${cell(f.note ?? '')} |`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}

/** Write a results document as JSON to `bench/results/<name>-<timestamp>.json` and `<name>-latest.json`. */
export async function writeResults(resultsDir: string, name: string, doc: unknown): Promise<string> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = join(resultsDir, `${name}-${stamp}.json`);
  await mkdir(dirname(file), { recursive: true });
  const body = `${JSON.stringify(doc, null, 2)}\n`;
  await writeFile(file, body);
  await writeFile(join(resultsDir, `${name}-latest.json`), body);
  return file;
}

/** Trigger a full GC when the process was started with --expose-gc (memory figures are steadier). */
export function collectGarbage(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) g();
}
