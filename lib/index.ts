export type { PerfKitStackProps } from './perf-kit-stack.js';
export { PerfKitStack } from './perf-kit-stack.js';
