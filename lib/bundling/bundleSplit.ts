import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import type { BuildOptions, BuildResult, Message } from 'esbuild';
import {
  ALWAYS_EXTERNAL,
  ESM_REQUIRE_BANNER,
  SPLIT_BUNDLE_ENTRY_NAME,
  SPLIT_BUNDLE_HANDLER,
} from './constants.js';
import { BundleError } from './errors.js';
import { summarizeMetafile } from './report.js';
import type { BundleReport, BundleSplitOptions, SplitBundleOptions } from './types.js';

type EsbuildApi = typeof import('esbuild');

let esbuildApi: EsbuildApi | undefined;

/**
 * Loads esbuild (an optional peer dependency) synchronously, or throws a {@link BundleError} that
 * says how to install it.
 *
 * @example
 * ```ts
 * const esbuild = loadEsbuild();
 * console.log(esbuild.version);
 * ```
 */
export function loadEsbuild(): EsbuildApi {
  if (esbuildApi) return esbuildApi;
  try {
    esbuildApi = createRequire(import.meta.url)('esbuild') as EsbuildApi;
    return esbuildApi;
  } catch (error) {
    throw new BundleError(
      'esbuild is not installed: the code-splitting bundler needs it. Run `npm install --save-dev esbuild`.',
      { cause: error },
    );
  }
}

/**
 * The esbuild options the splitter uses for an entry: ESM, `splitting`, `.mjs` chunks next to
 * `index.mjs`, the `createRequire` banner, `mainFields` module-first, platform node.
 *
 * @example
 * ```ts
 * const options = splitBuildOptions({ entry: 'src/handler.ts', outDir: 'dist/fn' });
 * console.log(options.splitting); // true
 * ```
 */
export function splitBuildOptions(options: BundleSplitOptions): BuildOptions {
  validateOptions(options);
  const entry = resolve(options.entry);
  const define = options.define ?? { 'process.env.NODE_ENV': '"production"' };
  const result: BuildOptions = {
    entryPoints: { [SPLIT_BUNDLE_ENTRY_NAME]: entry },
    outdir: resolve(options.outDir),
    bundle: true,
    splitting: options.splitting ?? true,
    format: 'esm',
    platform: 'node',
    target: options.target ?? 'node22',
    outExtension: { '.js': '.mjs' },
    chunkNames: '[name]-[hash]',
    mainFields: [...(options.mainFields ?? ['module', 'main'])],
    banner: { js: ESM_REQUIRE_BANNER },
    sourcemap: options.sourceMap ?? false,
    minify: options.minify ?? true,
    external: [...ALWAYS_EXTERNAL, ...(options.externalModules ?? [])],
    define: { ...define },
    metafile: true,
    legalComments: 'none',
    logLevel: 'silent',
    write: true,
  };
  if (options.tsconfig !== undefined) result.tsconfig = options.tsconfig;
  return result;
}

/**
 * Bundles a handler with esbuild code splitting and reports what lands on the init path.
 * Every module the handler imports with a literal `import('./x.js')` (directly or through
 * `lazyLoad(() => import('./x.js'), 'fn')`) becomes its own chunk that Node does not read at init.
 * The entry becomes `index.mjs` (handler string {@link SPLIT_BUNDLE_HANDLER}).
 *
 * @example
 * ```ts
 * import { bundleSplit } from 'lambda-perf-kit/cdk';
 * const report = bundleSplit({ entry: 'src/handler.ts', outDir: 'dist/fn' });
 * console.log(`${report.initBytes} bytes at init, ${report.deferredBytes} deferred`);
 * ```
 */
export function bundleSplit(options: BundleSplitOptions): BundleReport {
  const build = splitBuildOptions(options);
  const outDir = build.outdir as string;
  if (!existsSync(options.entry)) {
    throw new TypeError(`bundleSplit: options.entry must be an existing file; received '${options.entry}'.`);
  }
  mkdirSync(outDir, { recursive: true });
  const esbuild = loadEsbuild();
  const workingDir = process.cwd();
  let result: BuildResult;
  try {
    result = esbuild.buildSync({ ...build, absWorkingDir: workingDir });
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors ?? [];
    const detail = errors.length > 0 ? errors.map(formatMessage).join('\n') : String(error);
    throw new BundleError(`esbuild could not bundle ${options.entry}:\n${detail}`, { cause: error });
  }
  const metafile = result.metafile;
  if (!metafile) throw new BundleError('esbuild returned no metafile (metafile: true was set).');
  const entryRel = `${SPLIT_BUNDLE_ENTRY_NAME}.mjs`;
  const summary = summarizeMetafile(metafile, outDir, entryRel, workingDir);
  const assets =
    (options.copyWasm ?? true) ? copyWasmAssets(Object.keys(metafile.inputs), outDir, workingDir) : [];
  const assetBytes = assets.reduce((sum, file) => sum + statSync(join(outDir, file)).size, 0);
  return {
    outDir,
    entryFile: join(outDir, entryRel),
    handler: SPLIT_BUNDLE_HANDLER,
    chunks: summary.chunks,
    initBytes: summary.initBytes,
    deferredBytes: summary.deferredBytes,
    assetBytes,
    initPackages: summary.initPackages,
    deferredPackages: summary.deferredPackages,
    assets,
    warnings: result.warnings.map(formatMessage),
    metafile,
  };
}

function validateOptions(options: BundleSplitOptions): void {
  if (typeof options.entry !== 'string' || options.entry.length === 0) {
    throw new TypeError(`bundleSplit: options.entry must be a file path; received ${String(options.entry)}.`);
  }
  if (typeof options.outDir !== 'string' || options.outDir.length === 0) {
    throw new TypeError(
      `bundleSplit: options.outDir must be a directory path; received ${String(options.outDir)}.`,
    );
  }
  validateSplitOptions(options);
}

/**
 * Checks the shared options eagerly (a bad option fails at synth, not at deploy).
 *
 * @example
 * ```ts
 * validateSplitOptions({ externalModules: ['@aws-sdk/*'] });
 * ```
 */
export function validateSplitOptions(options: SplitBundleOptions): void {
  for (const field of ['externalModules', 'mainFields'] as const) {
    const value = options[field];
    if (value === undefined) continue;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      throw new TypeError(
        `splitBundle: options.${field} must be an array of strings; received ${JSON.stringify(value)}.`,
      );
    }
  }
  if (
    options.target !== undefined &&
    (typeof options.target !== 'string' || !/^node\d+/.test(options.target))
  ) {
    throw new TypeError(
      `splitBundle: options.target must be an esbuild node target such as 'node22'; received ${JSON.stringify(options.target)}.`,
    );
  }
}

function copyWasmAssets(inputs: readonly string[], outDir: string, workingDir: string): string[] {
  const dirs = new Set(
    inputs.filter((i) => i.includes('node_modules/')).map((i) => dirname(join(workingDir, i))),
  );
  const copied = new Map<string, string>();
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!name.endsWith('.wasm')) continue;
      const from = join(dir, name);
      const previous = copied.get(name);
      if (previous !== undefined && previous !== from) {
        throw new BundleError(
          `Two bundled packages ship a wasm file named '${name}' (${previous} and ${from}); they would overwrite each other in the output directory. Set copyWasm: false and copy them yourself.`,
        );
      }
      copyFileSync(from, join(outDir, basename(name)));
      copied.set(name, from);
    }
  }
  return [...copied.keys()].sort();
}

function formatMessage(message: Message): string {
  const where = message.location ? `${message.location.file}:${message.location.line}: ` : '';
  return `${where}${message.text}`;
}
