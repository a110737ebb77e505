import { DEFAULT_BUDGET_RESERVED, MAX_CONNECTIONS_CAP, MEMORY_MB_PER_CONNECTION } from './constants.js';
import type { ConnectionBudget } from './types.js';

/** What {@link computePoolSize} decided, and why. */
export interface PoolSizing {
  /** The pool's `max`. */
  max: number;
  /** `explicit`: the `max` option; `memory`: the memory rule; `budget`: the connection budget was lower; `default`: not on Lambda, no memory given. */
  source: 'explicit' | 'memory' | 'budget' | 'default';
  /** The memory the rule used, if any. */
  memoryMB?: number;
  /** `(maxConnections - reserved) / expectedConcurrency`, when a budget was given. */
  budgetPerEnvironment?: number;
}

/** Inputs of {@link computePoolSize} (already validated). */
export interface PoolSizingInput {
  max?: number;
  memoryMB?: number;
  connectionBudget?: ConnectionBudget;
  /** @default process.env */
  env?: Record<string, string | undefined>;
}

/**
 * Sizes a pool for one Lambda environment: `min(floor(memoryMB / 128), 10)` (at least 1), where
 * memory comes from the option or `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`; then capped by the
 * connection budget `floor((maxConnections - reserved) / expectedConcurrency)` (at least 1).
 * An explicit `max` wins over both.
 *
 * @example
 * ```ts
 * computePoolSize({ memoryMB: 1024 }).max; // 8
 * computePoolSize({ memoryMB: 1024, connectionBudget: { maxConnections: 100, expectedConcurrency: 40 } }).max; // 2
 * ```
 */
export function computePoolSize(input: PoolSizingInput): PoolSizing {
  if (input.max !== undefined) return { max: input.max, source: 'explicit' };
  const env = input.env ?? process.env;
  const fromEnv = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  const memoryMB = input.memoryMB ?? (Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : undefined);
  const byMemory =
    memoryMB === undefined
      ? MAX_CONNECTIONS_CAP
      : Math.max(1, Math.min(Math.floor(memoryMB / MEMORY_MB_PER_CONNECTION), MAX_CONNECTIONS_CAP));
  const sizing: PoolSizing = {
    max: byMemory,
    source: memoryMB === undefined ? 'default' : 'memory',
    ...(memoryMB === undefined ? {} : { memoryMB }),
  };
  const budget = input.connectionBudget;
  if (budget) {
    const reserved = budget.reserved ?? DEFAULT_BUDGET_RESERVED;
    const perEnvironment = Math.max(
      1,
      Math.floor((budget.maxConnections - reserved) / budget.expectedConcurrency),
    );
    sizing.budgetPerEnvironment = perEnvironment;
    if (perEnvironment < sizing.max) {
      sizing.max = perEnvironment;
      sizing.source = 'budget';
    }
  }
  return sizing;
}
