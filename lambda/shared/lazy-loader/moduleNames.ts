import type { ModuleLoader } from './types.js';

const IMPORT_PATH = /import[\w$]*\(\s*["'`]([^"'`]+)["'`]/;

/**
 * A readable name for a loader: the path inside its `import('...')`, else the function's name,
 * else `'anonymous loader'`. Only for display (logs, metrics, traces), never a cache key.
 *
 * @example
 * ```ts
 * loaderDisplayName(() => import('./orders.js')); // './orders.js'
 * ```
 */
export function loaderDisplayName(loader: ModuleLoader): string {
  const match = IMPORT_PATH.exec(Function.prototype.toString.call(loader));
  if (match?.[1]) return match[1];
  return loader.name.length > 0 ? loader.name : 'anonymous loader';
}

/**
 * Throws a TypeError for a specifier the string form cannot serve: empty, or relative (it would
 * resolve against the library's own file and esbuild could not split it).
 *
 * @example
 * ```ts
 * validateSpecifier('@aws-sdk/client-sqs'); // ok
 * validateSpecifier('./heavy.js'); // TypeError: pass a loader instead
 * ```
 */
export function validateSpecifier(specifier: string): void {
  if (specifier.length === 0) {
    throw new TypeError(
      'lazyLoad: the specifier must be a non-empty package name or absolute URL; received an empty string.',
    );
  }
  if (specifier.startsWith('./') || specifier.startsWith('../')) {
    throw new TypeError(
      `lazyLoad: '${specifier}' is a relative path, which would resolve against the library's file, not yours, and cannot be split by esbuild. Pass a loader instead: lazyLoad(() => import('${specifier}'), ...).`,
    );
  }
}
