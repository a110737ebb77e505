import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { bundleSplit, validateSplitOptions } from './bundleSplit.js';
import { SPLIT_BUNDLE_IMAGE } from './constants.js';
import type { SplitBundleOptions } from './types.js';

/**
 * Lambda code for a handler, bundled by {@link bundleSplit} with esbuild code splitting (which
 * `NodejsFunction` cannot do): lazily imported modules become chunks that are not read at init.
 * Use it with handler {@link SPLIT_BUNDLE_HANDLER} (`index.handler`; the entry must export `handler`).
 *
 * Bundles locally with the installed esbuild (no Docker); falls back to the
 * `public.ecr.aws/sam/build-nodejs22.x` image only when esbuild is missing. Respects the
 * `aws:cdk:bundling-stacks` context (tests pass `[]` to skip bundling). The asset hash is the hash
 * of the output.
 *
 * @example
 * ```ts
 * import { Runtime, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
 * import { splitBundleCode, SPLIT_BUNDLE_HANDLER } from 'lambda-perf-kit/cdk';
 * new LambdaFunction(this, 'Api', {
 *   runtime: Runtime.NODEJS_22_X,
 *   handler: SPLIT_BUNDLE_HANDLER,
 *   code: splitBundleCode('lambda/examples/performance-optimized-handler.ts'),
 * });
 * ```
 */
export function splitBundleCode(entry: string, options: SplitBundleOptions = {}): Code {
  validateSplitOptions(options);
  const entryPath = resolve(entry);
  if (!existsSync(entryPath)) {
    throw new TypeError(
      `splitBundleCode: entry must be an existing file; received '${entry}' (${entryPath}).`,
    );
  }
  const projectRoot = resolve(options.projectRoot ?? findProjectRoot(entryPath));
  const entryInContainer = `/asset-input/${relative(projectRoot, entryPath).replaceAll('\\', '/')}`;
  const cliInContainer = `/asset-input/${relative(projectRoot, cliPath()).replaceAll('\\', '/')}`;
  const dockerOptions = JSON.stringify({ ...options, projectRoot: '/asset-input' });
  return Code.fromAsset(projectRoot, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry(SPLIT_BUNDLE_IMAGE),
      command: [
        'bash',
        '-c',
        `cd /asset-input && npx --yes tsx ${shellQuote(cliInContainer)} ${shellQuote(entryInContainer)} /asset-output ${shellQuote(dockerOptions)}`,
      ],
      environment: { npm_config_cache: '/tmp/npm-cache', HOME: '/tmp' },
      local: {
        tryBundle(outputDir: string): boolean {
          try {
            bundleSplit({ ...options, entry: entryPath, outDir: outputDir });
            return true;
          } catch (error) {
            if ((error as Error).name === 'BundleError' && /not installed/.test((error as Error).message)) {
              return false;
            }
            throw error;
          }
        },
      },
    },
  });
}

/**
 * The nearest ancestor directory of `file` that holds a `package.json`.
 *
 * @example
 * ```ts
 * findProjectRoot('/repo/lambda/examples/handler.ts'); // '/repo'
 * ```
 */
export function findProjectRoot(file: string): string {
  let dir = dirname(resolve(file));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new TypeError(
        `splitBundleCode: no package.json above '${file}'; pass options.projectRoot (the directory with node_modules).`,
      );
    }
    dir = parent;
  }
}

function cliPath(): string {
  const here = fileURLToPath(import.meta.url);
  const ext = here.endsWith('.ts') ? '.ts' : '.js';
  return join(dirname(here), `cli${ext}`);
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
