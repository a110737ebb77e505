/**
 * A bundle could not be built: esbuild reported errors, or esbuild is not installed.
 * `cause` keeps the original error.
 *
 * @example
 * ```ts
 * try {
 *   bundleSplit({ entry: 'src/handler.ts', outDir: 'dist/fn' });
 * } catch (error) {
 *   if (error instanceof BundleError) console.error(error.message);
 * }
 * ```
 */
export class BundleError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BundleError';
  }
}
