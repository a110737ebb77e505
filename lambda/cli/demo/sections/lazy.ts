/**
 * Demo section for the lazy loader: bundles the example handler twice with the code-splitting
 * bundler (split: heavy modules behind `lazyLoad`; eager: the same routes importing them
 * statically), then times init (import of the bundle until the handler is ready) in fresh `node`
 * processes, alternating split and eager, and reports the bytes Node reads at init vs deferred.
 * Needs no database: it works the same on PGlite and on a real PostgreSQL.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
// The plain bundler file, not lib/bundling/index.js (which loads aws-cdk-lib for splitBundleCode).
import { bundleSplit } from '../../../../lib/bundling/bundleSplit.js';
import type { BundleReport } from '../../../../lib/bundling/types.js';
import { median } from '../stats.js';
import type { DemoContext, DemoSection } from '../types.js';

const run = promisify(execFile);

/** A handler bundled split and its eager peer (paths relative to the repository root). */
export interface LazyDemoEntry {
  /** The handler with lazy imports. */
  split: string;
  /** The same handler with static imports; without it the peer is the split entry bundled with `splitting: false`. */
  eager?: string;
  /** A route whose first invocation is timed too (needs no database), e.g. `GET /health`. */
  route?: string;
}

/**
 * Handlers the section tries, first found wins.
 *
 * @example
 * ```ts
 * LAZY_DEMO_ENTRIES.unshift({ split: 'lambda/examples/performance-optimized-handler.ts' });
 * ```
 */
export const LAZY_DEMO_ENTRIES: LazyDemoEntry[] = [
  {
    split: 'test/fixtures/split-handler/handler.ts',
    eager: 'test/fixtures/split-handler/handler-eager.ts',
    route: 'GET /health',
  },
];

const ROUNDS = 6;
const HEAVY_PACKAGES = ['pg', '@aws-sdk/client-sqs', 'libpg-query', '@aws-lambda-powertools/tracer'];
const RUNNER = 'bench/fixtures/cold-start/runner.mjs';

/**
 * Runs the lazy-loading demo section (about 3–6 s).
 *
 * @example
 * ```ts
 * const section = await runLazySection(ctx);
 * console.log(section.figures['init ratio (split / eager)']);
 * ```
 */
export async function runLazySection(ctx: DemoContext): Promise<DemoSection> {
  const title = 'Lazy loading and code splitting';
  const warnings: string[] = [];
  const root = findRepoRoot();
  const entry = root ? LAZY_DEMO_ENTRIES.find((e) => existsSync(join(root, e.split))) : undefined;
  if (!root || !entry || !existsSync(join(root, RUNNER))) {
    return {
      title,
      summary: 'Skipped: the example handler and the cold-start runner are only in the source repository.',
      figures: {},
      warnings: [
        'Run the demo from a clone of the repository (npm start) to see the split vs eager comparison.',
      ],
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'lpk-demo-lazy-'));
  try {
    ctx.progress('lazy: bundling the example handler, split and eager…');
    const split = bundleSplit({ entry: join(root, entry.split), outDir: join(dir, 'split') });
    let eager: BundleReport;
    if (entry.eager && existsSync(join(root, entry.eager))) {
      eager = bundleSplit({ entry: join(root, entry.eager), outDir: join(dir, 'eager') });
    } else {
      warnings.push(
        'No eager variant of this handler: the peer is the same handler bundled into one file (splitting off), which still defers evaluating lazy modules, so the gap shown is smaller than against a truly eager handler.',
      );
      eager = bundleSplit({ entry: join(root, entry.split), outDir: join(dir, 'eager'), splitting: false });
    }

    ctx.progress(`lazy: timing init in ${ROUNDS * 2} fresh node processes…`);
    const runner = join(root, RUNNER);
    const samples = { split: [] as Sample[], eager: [] as Sample[] };
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate the order (ABBA) so drift on a busy machine hits both alike.
      const order: Array<'split' | 'eager'> = round % 2 === 0 ? ['split', 'eager'] : ['eager', 'split'];
      for (const variant of order) {
        const report = variant === 'split' ? split : eager;
        samples[variant].push(await sample(runner, report.entryFile, entry.route));
      }
    }
    const initSplit = median(samples.split.map((s) => s.initMs));
    const initEager = median(samples.eager.map((s) => s.initMs));
    const firstSplit = median(samples.split.map((s) => s.firstMs));
    const firstEager = median(samples.eager.map((s) => s.firstMs));
    const kib = (bytes: number) => Math.round(bytes / 102.4) / 10;
    const ms = (value: number) => Math.round(value * 10) / 10;
    const figures: Record<string, number | string> = {
      'init split (ms, median)': ms(initSplit),
      'init eager (ms, median)': ms(initEager),
      'init ratio (split / eager)': Math.round((initSplit / initEager) * 100) / 100,
      'bytes at init, split (KiB)': kib(split.initBytes),
      'bytes at init, eager (KiB)': kib(eager.initBytes),
      'bytes deferred, split (KiB)': kib(split.deferredBytes),
    };
    if (entry.route) {
      figures[`first ${entry.route} split (ms, median)`] = ms(firstSplit);
      figures[`first ${entry.route} eager (ms, median)`] = ms(firstEager);
    }
    return {
      title,
      summary: `Split bundle: Node reads ${kib(split.initBytes)} KiB at init instead of ${kib(eager.initBytes)} KiB; heavy modules (${split.deferredPackages.filter((p) => HEAVY_PACKAGES.includes(p)).join(', ')}) load on first use. Init ${ms(initSplit)} ms vs ${ms(initEager)} ms eager (median of ${ROUNDS} fresh processes each; this machine, not Lambda).`,
      figures,
      tables: [
        {
          title: 'Split bundle: chunks read at init, and the chunks of the heavy packages',
          columns: ['file', 'KiB', 'read at init', 'packages'],
          rows: split.chunks
            .filter((c) => c.onInitPath || c.packages.some((p) => HEAVY_PACKAGES.includes(p)))
            .map((c) => [
              c.file,
              kib(c.bytes),
              c.onInitPath ? 'yes' : 'no',
              c.packages.slice(0, 4).join(', '),
            ]),
        },
      ],
      charts: [
        {
          title: 'Init time, median (ms)',
          unit: 'ms',
          bars: [
            { label: 'split', value: ms(initSplit) },
            { label: 'eager', value: ms(initEager) },
          ],
        },
        {
          title: 'JavaScript read at init (KiB)',
          unit: 'KiB',
          bars: [
            { label: 'split', value: kib(split.initBytes) },
            { label: 'eager', value: kib(eager.initBytes) },
          ],
        },
      ],
      warnings,
    };
  } catch (error) {
    return {
      title,
      summary: 'The split vs eager comparison could not run.',
      figures: {},
      warnings: [...warnings, error instanceof Error ? error.message : String(error)],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Sample {
  initMs: number;
  firstMs: number;
}

async function sample(runner: string, entryFile: string, route: string | undefined): Promise<Sample> {
  const args = route ? [runner, entryFile, route] : [runner, entryFile];
  const { stdout } = await run(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir() },
  });
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{"initMs"'));
  if (!line) throw new Error(`the cold-start runner printed no timing line:\n${stdout}`);
  return JSON.parse(line) as Sample;
}

function findRepoRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, RUNNER)) && existsSync(join(dir, 'package.json'))) return dir;
    const parent = resolve(dir, '..');
    if (parent === dir) return undefined;
    dir = parent;
  }
}
