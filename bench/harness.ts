/**
 * The benchmark harness every module's benchmark uses. These machines are shared and noisy, so every
 * figure is a ratio of two contenders measured in the same run, interleaved at the finest grain
 * (A B B A per operation), repeated in blocks; we report the median ratio and its spread across blocks.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const RESULTS_FILE = fileURLToPath(new URL('./results.json', import.meta.url));

/** One benchmark figure as it lands in bench/results.json. */
export interface BenchResult {
  /** e.g. 'pool' */
  module: string;
  /** e.g. 'wrapper overhead vs pg.Pool, SELECT 1' */
  name: string;
  /** the figure: median ratio (or other unit given in `unit`) */
  value: number;
  /** 'ratio', 'ms', 'x', ... */
  unit: string;
  /** the goal as text, e.g. '<= 1.05' */
  goal: string;
  /** whether the goal was met */
  pass: boolean;
  /** spread across repeats, [low, high] */
  spread?: [number, number];
  /** samples behind the figure */
  samples?: number;
  /** extra numbers worth keeping (medians of each contender, bytes, ...) */
  details?: Record<string, unknown>;
  /** ISO time of the run */
  at?: string;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** Options for {@link compareInterleaved}. */
export interface InterleaveOptions {
  /** ABBA quads per block. @default 500 */
  quadsPerBlock?: number;
  /** Blocks; the spread is the min/max of the blocks' median ratios. @default 5 */
  blocks?: number;
  /** Untimed warm-up operations of each contender first. @default 50 */
  warmup?: number;
}

/** What {@link compareInterleaved} measured. */
export interface InterleaveResult {
  /** median over all quads of (A time / B time) */
  ratio: number;
  /** [min, max] of per-block median ratios */
  spread: [number, number];
  medianA: number;
  medianB: number;
  samples: number;
}

/**
 * Times `a` and `b` one operation at a time in A B B A order and returns the median of A/B.
 */
export async function compareInterleaved(
  a: () => Promise<unknown> | unknown,
  b: () => Promise<unknown> | unknown,
  options: InterleaveOptions = {},
): Promise<InterleaveResult> {
  const quads = options.quadsPerBlock ?? 500;
  const blocks = options.blocks ?? 5;
  for (let i = 0; i < (options.warmup ?? 50); i++) {
    await a();
    await b();
  }
  const time = async (fn: () => Promise<unknown> | unknown): Promise<number> => {
    const start = nowMs();
    await fn();
    return nowMs() - start;
  };
  const ratios: number[] = [];
  const timesA: number[] = [];
  const timesB: number[] = [];
  const blockMedians: number[] = [];
  for (let block = 0; block < blocks; block++) {
    const blockRatios: number[] = [];
    for (let q = 0; q < quads; q++) {
      const a1 = await time(a);
      const b1 = await time(b);
      const b2 = await time(b);
      const a2 = await time(a);
      timesA.push(a1, a2);
      timesB.push(b1, b2);
      const ratio = (a1 + a2) / (b1 + b2);
      blockRatios.push(ratio);
      ratios.push(ratio);
    }
    blockMedians.push(median(blockRatios));
  }
  return {
    ratio: median(ratios),
    spread: [Math.min(...blockMedians), Math.max(...blockMedians)],
    medianA: median(timesA),
    medianB: median(timesB),
    samples: ratios.length,
  };
}

/** One contender of a cold-start comparison: a command run in a fresh process per sample. */
export interface ColdStartContender {
  name: string;
  command: string;
  args: string[];
  /** Reads the figure (ms) from the process' stdout; default: the last line parsed as a number. */
  parse?: (stdout: string) => number;
  env?: Record<string, string>;
}

/**
 * Runs each contender in a fresh process `rounds` times, shuffling the order inside every round,
 * with a clean environment (PATH and HOME only, plus the contender's own).
 * Returns every contender's samples.
 */
export async function coldStartSamples(
  contenders: readonly ColdStartContender[],
  rounds = 21,
): Promise<Record<string, number[]>> {
  const samples: Record<string, number[]> = Object.fromEntries(contenders.map((c) => [c.name, []]));
  for (let round = 0; round < rounds; round++) {
    const order = [...contenders].sort(() => Math.random() - 0.5);
    for (const contender of order) {
      const stdout = await runProcess(contender.command, contender.args, {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        ...contender.env,
      });
      const value = contender.parse ? contender.parse(stdout) : Number(stdout.trim().split('\n').at(-1));
      if (!Number.isFinite(value))
        throw new Error(`${contender.name}: could not read a number from:\n${stdout}`);
      samples[contender.name]?.push(value);
    }
  }
  return samples;
}

function runProcess(command: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${err}`)),
    );
  });
}

/**
 * Adds (or replaces, by module + name) results in bench/results.json and prints them.
 */
export function recordResults(results: readonly BenchResult[]): void {
  const existing: BenchResult[] = existsSync(RESULTS_FILE)
    ? JSON.parse(readFileSync(RESULTS_FILE, 'utf8'))
    : [];
  const at = new Date().toISOString();
  const merged = existing.filter(
    (old) => !results.some((r) => r.module === old.module && r.name === old.name),
  );
  merged.push(...results.map((r) => ({ ...r, at: r.at ?? at })));
  merged.sort((x, y) => x.module.localeCompare(y.module));
  writeFileSync(RESULTS_FILE, `${JSON.stringify(merged, null, 2)}\n`);
  printTable(results);
}

/** A figure with sensible precision for a table. */
export const formatFigure = (n: number): string =>
  Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(3);
const fmt = formatFigure;

/** Prints results as a table. */
export function printTable(results: readonly BenchResult[]): void {
  const rows = results.map((r) => [
    r.module,
    r.name,
    `${fmt(r.value)} ${r.unit}`,
    r.spread ? `${fmt(r.spread[0])}–${fmt(r.spread[1])}` : '',
    r.goal,
    r.pass ? 'PASS' : 'MISS',
  ]);
  const header = ['module', 'benchmark', 'median', 'spread', 'goal', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}
