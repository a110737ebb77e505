/**
 * Cold start of the example handler (test/fixtures/split-handler), split bundle vs eager bundle.
 * Both are built by the same bundler (lib/bundling) from the same routes; the eager one imports
 * `pg`, the SQS client and `libpg-query` statically, the split one through `lazyLoad`.
 *
 * Each sample is a fresh `node` process with a clean environment (PATH and HOME only) running
 * bench/fixtures/cold-start/runner.mjs, which times `import()` of the bundle until the handler is
 * ready (init), and until the first invocation of a route has returned. Contenders are shuffled in
 * every round (harness coldStartSamples); each figure is the median over rounds of the per-round
 * ratio split / eager; the spread is the min/max of the medians of three blocks of rounds.
 *
 * Run: npx tsx bench/cold-start.bench.ts   (ROUNDS=31 by default, at least 21)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BundleReport, bundleSplit } from '../lib/bundling/index.js';
import {
  type BenchResult,
  type ColdStartContender,
  coldStartSamples,
  median,
  recordResults,
} from './harness.js';

const ROUNDS = Math.max(21, Number(process.env.ROUNDS ?? 31));
const root = fileURLToPath(new URL('../', import.meta.url));
const runner = join(root, 'bench/fixtures/cold-start/runner.mjs');
const fixture = (name: string) => join(root, 'test/fixtures/split-handler', name);

interface RunnerLine {
  initMs: number;
  firstMs: number;
}

function lastJsonLine(stdout: string): RunnerLine {
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{"initMs"'));
  if (!line) throw new Error(`runner printed no timing line:\n${stdout}`);
  return JSON.parse(line) as RunnerLine;
}

/** Per-round ratios a/b: median, and the min/max of the medians of three blocks of rounds. */
function pairedRatio(
  a: readonly number[],
  b: readonly number[],
): { ratio: number; spread: [number, number] } {
  const ratios = a.map((value, i) => value / (b[i] as number));
  const size = Math.ceil(ratios.length / 3);
  const blocks = [0, 1, 2].map((k) => median(ratios.slice(k * size, (k + 1) * size))).filter(Number.isFinite);
  return { ratio: median(ratios), spread: [Math.min(...blocks), Math.max(...blocks)] };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lpk-cold-start-'));
  try {
    const split = bundleSplit({ entry: fixture('handler.ts'), outDir: join(dir, 'split') });
    const eager = bundleSplit({ entry: fixture('handler-eager.ts'), outDir: join(dir, 'eager') });
    const maps = bundleSplit({ entry: fixture('handler.ts'), outDir: join(dir, 'maps'), sourceMap: true });

    // Each contender records init (import → handler ready) beside the figure it returns (first invocation).
    const inits: Record<string, number[]> = {};
    const contender = (
      name: string,
      report: BundleReport,
      route: string,
      nodeArgs: string[] = [],
    ): ColdStartContender => {
      inits[name] = [];
      return {
        name,
        command: process.execPath,
        args: [...nodeArgs, runner, report.entryFile, route],
        parse: (stdout) => {
          const line = lastJsonLine(stdout);
          inits[name]?.push(line.initMs);
          return line.firstMs;
        },
      };
    };
    const contenders = [
      contender('split /health', split, 'GET /health'),
      contender('eager /health', eager, 'GET /health'),
      contender('split /orders', split, 'GET /orders'),
      contender('eager /orders', eager, 'GET /orders'),
      contender('split+maps /health', maps, 'GET /health', ['--enable-source-maps']),
    ];
    console.log(`cold-start: ${ROUNDS} rounds x ${contenders.length} fresh node processes ...`);
    const first = await coldStartSamples(contenders, ROUNDS);
    const get = (record: Record<string, number[]>, name: string) => record[name] ?? [];

    // Init is the same code path whichever route follows: both runs of a variant in a round count.
    const initOf = (variant: string) =>
      get(inits, `${variant} /health`).map(
        (h, i) => (h + (get(inits, `${variant} /orders`)[i] as number)) / 2,
      );
    const initSplit = initOf('split');
    const initEager = initOf('eager');
    const init = pairedRatio(initSplit, initEager);
    const health = pairedRatio(get(first, 'split /health'), get(first, 'eager /health'));
    const orders = pairedRatio(get(first, 'split /orders'), get(first, 'eager /orders'));
    const sourceMaps = pairedRatio(get(inits, 'split+maps /health'), get(inits, 'split /health'));
    const bytes = {
      splitInitBytes: split.initBytes,
      splitDeferredBytes: split.deferredBytes,
      eagerInitBytes: eager.initBytes,
      eagerDeferredBytes: eager.deferredBytes,
      wasmBytes: split.assetBytes,
    };
    const medians = (a: number[], b: number[]) => ({
      splitMedianMs: round2(median(a)),
      eagerMedianMs: round2(median(b)),
    });

    const results: BenchResult[] = [
      {
        module: 'lazy',
        name: 'init (import to handler ready), split vs eager bundle, example handler',
        value: init.ratio,
        unit: 'ratio',
        goal: '<= 0.5',
        pass: init.ratio <= 0.5,
        spread: init.spread,
        samples: ROUNDS,
        details: { ...medians(initSplit, initEager), ...bytes },
      },
      {
        module: 'lazy',
        name: 'first invocation of GET /health (needs no heavy module), split vs eager',
        value: health.ratio,
        unit: 'ratio',
        goal: '<= 0.6',
        pass: health.ratio <= 0.6,
        spread: health.spread,
        samples: ROUNDS,
        details: medians(get(first, 'split /health'), get(first, 'eager /health')),
      },
      {
        module: 'lazy',
        name: 'first invocation of GET /orders (needs pg, SQS client, libpg-query), split vs eager',
        value: orders.ratio,
        unit: 'ratio',
        goal: '<= 1.15',
        pass: orders.ratio <= 1.15,
        spread: orders.spread,
        samples: ROUNDS,
        details: medians(get(first, 'split /orders'), get(first, 'eager /orders')),
      },
      {
        module: 'lazy',
        name: 'bytes on the init path, split vs eager bundle',
        value: split.initBytes / eager.initBytes,
        unit: 'ratio',
        goal: '< 1',
        pass: split.initBytes < eager.initBytes,
        details: bytes,
      },
      {
        module: 'lazy',
        name: 'init with source maps (--enable-source-maps) vs without, split bundle',
        value: sourceMaps.ratio,
        unit: 'ratio',
        goal: 'informational (why sourceMap defaults to false)',
        pass: true,
        spread: sourceMaps.spread,
        samples: ROUNDS,
        details: {
          withMapsMedianMs: round2(median(get(inits, 'split+maps /health'))),
          withoutMapsMedianMs: round2(median(get(inits, 'split /health'))),
        },
      },
    ];
    recordResults(results);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
