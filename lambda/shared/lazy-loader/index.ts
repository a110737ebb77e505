export { createCodeSplitter } from './CodeSplitter.js';
export {
  DEFAULT_PRELOAD_CONCURRENCY,
  MAX_LOAD_RECORDS,
  MAX_PRELOAD_CONCURRENCY,
  MODULE_DIMENSION,
} from './constants.js';
export { LazyInitError, LazyLoadError, LazyLoaderError, UnknownRouteError } from './errors.js';
export { isLazyReady, Lazy, lazyReady } from './Lazy.js';
export { clearLazyCache, isLoaded, lazyLoad } from './lazyLoad.js';
export { clearLoadTimes, flushLoadTimes, getLoadTimes } from './loadTracking.js';
export { optimizeColdStart } from './optimizeColdStart.js';
export type {
  CodeSplitter,
  LazyLoadOptions,
  ModuleLoader,
  ModuleLoadRecord,
  OptimizeColdStartOptions,
  PreloadHandle,
  PreloadSummary,
  PreloadTarget,
  RegisterOptions,
  RouteHandler,
  RouteModule,
} from './types.js';
