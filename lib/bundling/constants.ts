/**
 * The Lambda handler string of every bundle made by the splitter: the entry becomes `index.mjs`
 * and must export `handler`.
 *
 * @example
 * ```ts
 * import { SPLIT_BUNDLE_HANDLER } from 'lambda-perf-kit/cdk';
 * new lambda.Function(this, 'Fn', { handler: SPLIT_BUNDLE_HANDLER, code, runtime });
 * ```
 */
export const SPLIT_BUNDLE_HANDLER = 'index.handler';

/**
 * The file name (without extension) the entry is written as.
 *
 * @example
 * ```ts
 * import { SPLIT_BUNDLE_ENTRY_NAME } from 'lambda-perf-kit/cdk';
 * console.log(`${SPLIT_BUNDLE_ENTRY_NAME}.mjs`); // 'index.mjs'
 * ```
 */
export const SPLIT_BUNDLE_ENTRY_NAME = 'index';

/**
 * The Docker image used when local bundling is not possible (no esbuild installed).
 *
 * @example
 * ```ts
 * import { SPLIT_BUNDLE_IMAGE } from 'lambda-perf-kit/cdk';
 * console.log(SPLIT_BUNDLE_IMAGE);
 * ```
 */
export const SPLIT_BUNDLE_IMAGE = 'public.ecr.aws/sam/build-nodejs22.x';

/**
 * The banner every output file starts with: ESM has no `require`, `__filename` or `__dirname`, which
 * bundled CommonJS dependencies use (`pg` requires Node built-ins; `libpg-query` finds its `.wasm`
 * through `__dirname`). Each chunk gets its own, relative to its own URL.
 *
 * @example
 * ```ts
 * import { ESM_REQUIRE_BANNER } from 'lambda-perf-kit/cdk';
 * console.log(ESM_REQUIRE_BANNER.includes('createRequire')); // true
 * ```
 */
export const ESM_REQUIRE_BANNER = [
  "import { createRequire as __lpkCreateRequire } from 'node:module';",
  "import { fileURLToPath as __lpkFileURLToPath } from 'node:url';",
  "import { dirname as __lpkDirname } from 'node:path';",
  'const require = __lpkCreateRequire(import.meta.url);',
  'const __filename = __lpkFileURLToPath(import.meta.url);',
  'const __dirname = __lpkDirname(__filename);',
].join('\n');

/**
 * Modules that are always left out of the bundle: optional native add-ons that are only required
 * inside a `try` (`pg` → `pg-native`) and cannot be bundled.
 *
 * @example
 * ```ts
 * import { ALWAYS_EXTERNAL } from 'lambda-perf-kit/cdk';
 * console.log(ALWAYS_EXTERNAL); // ['pg-native']
 * ```
 */
export const ALWAYS_EXTERNAL: readonly string[] = ['pg-native'];

/**
 * Label used in bundle reports for code that is not from an npm package.
 *
 * @example
 * ```ts
 * import { APP_PACKAGE } from 'lambda-perf-kit/cdk';
 * report.chunks[0]?.packages.includes(APP_PACKAGE);
 * ```
 */
export const APP_PACKAGE = '(app)';
