/**
 * `tsx lib/bundling/cli.ts <entry> <outDir> [options-json]`: runs {@link bundleSplit} and prints the
 * report summary. Used inside the Docker fallback of {@link splitBundleCode}, and handy by hand.
 */
import { bundleSplit } from './bundleSplit.js';
import type { SplitBundleOptions } from './types.js';

const [entry, outDir, json] = process.argv.slice(2);
if (!entry || !outDir) {
  console.error('usage: cli.ts <entry> <outDir> [options-json]');
  process.exit(2);
}
const options = (json ? JSON.parse(json) : {}) as SplitBundleOptions;
const report = bundleSplit({ ...options, entry, outDir });
console.log(
  JSON.stringify(
    {
      entryFile: report.entryFile,
      initBytes: report.initBytes,
      deferredBytes: report.deferredBytes,
      initPackages: report.initPackages,
      deferredPackages: report.deferredPackages,
      chunks: report.chunks.map((c) => ({ file: c.file, bytes: c.bytes, init: c.onInitPath })),
    },
    null,
    2,
  ),
);
