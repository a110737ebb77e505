import { describe, expect, it } from 'vitest';
import { computePoolSize } from '../../../lambda/shared/connection-pool/index.js';

describe('computePoolSize', () => {
  it('gives one connection per 128 MB of memory, at most 10', () => {
    expect(computePoolSize({ memoryMB: 128, env: {} }).max).toBe(1);
    expect(computePoolSize({ memoryMB: 1024, env: {} }).max).toBe(8);
    expect(computePoolSize({ memoryMB: 1280, env: {} }).max).toBe(10);
    expect(computePoolSize({ memoryMB: 10_240, env: {} })).toEqual({
      max: 10,
      source: 'memory',
      memoryMB: 10_240,
    });
  });

  it('reads the memory from AWS_LAMBDA_FUNCTION_MEMORY_SIZE', () => {
    expect(computePoolSize({ env: { AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512' } })).toEqual({
      max: 4,
      source: 'memory',
      memoryMB: 512,
    });
  });

  it('prefers the memoryMB option over the environment', () => {
    expect(computePoolSize({ memoryMB: 256, env: { AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '2048' } }).max).toBe(2);
  });

  it('sizes to 10 outside Lambda, and ignores an unreadable memory variable', () => {
    expect(computePoolSize({ env: {} })).toEqual({ max: 10, source: 'default' });
    expect(computePoolSize({ env: { AWS_LAMBDA_FUNCTION_MEMORY_SIZE: 'lots' } }).source).toBe('default');
  });

  it('caps the size by the connection budget across environments', () => {
    const sizing = computePoolSize({
      memoryMB: 1024,
      connectionBudget: { maxConnections: 100, reserved: 10, expectedConcurrency: 30 },
      env: {},
    });
    expect(sizing).toEqual({ max: 3, source: 'budget', memoryMB: 1024, budgetPerEnvironment: 3 });
  });

  it('keeps 3 connections in reserve by default and never goes below 1', () => {
    expect(
      computePoolSize({
        memoryMB: 1024,
        connectionBudget: { maxConnections: 43, expectedConcurrency: 10 },
        env: {},
      }).max,
    ).toBe(4);
    expect(
      computePoolSize({
        memoryMB: 1024,
        connectionBudget: { maxConnections: 20, expectedConcurrency: 500 },
        env: {},
      }).max,
    ).toBe(1);
  });

  it('leaves the memory rule alone when the budget is larger', () => {
    const sizing = computePoolSize({
      memoryMB: 256,
      connectionBudget: { maxConnections: 1000, expectedConcurrency: 10 },
      env: {},
    });
    expect(sizing.max).toBe(2);
    expect(sizing.source).toBe('memory');
    expect(sizing.budgetPerEnvironment).toBe(99);
  });

  it('lets an explicit max win over memory and budget', () => {
    expect(
      computePoolSize({
        max: 7,
        memoryMB: 128,
        connectionBudget: { maxConnections: 10, expectedConcurrency: 100 },
        env: {},
      }),
    ).toEqual({ max: 7, source: 'explicit' });
  });
});
