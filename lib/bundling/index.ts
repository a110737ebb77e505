export { bundleSplit, loadEsbuild, splitBuildOptions, validateSplitOptions } from './bundleSplit.js';
export {
  ALWAYS_EXTERNAL,
  APP_PACKAGE,
  ESM_REQUIRE_BANNER,
  SPLIT_BUNDLE_ENTRY_NAME,
  SPLIT_BUNDLE_HANDLER,
  SPLIT_BUNDLE_IMAGE,
} from './constants.js';
export { BundleError } from './errors.js';
export type { ChunkSummary } from './report.js';
export { packageOf, summarizeMetafile } from './report.js';
export { findProjectRoot, splitBundleCode } from './splitBundleCode.js';
export type { BundleChunk, BundleReport, BundleSplitOptions, SplitBundleOptions } from './types.js';
