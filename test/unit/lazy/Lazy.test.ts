import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LazyInitError } from '../../../lambda/shared/lazy-loader/index.js';

type Fixture = typeof import('./fixtures/decorated.js');

let fixture: Fixture;
let dir: string;

beforeAll(async () => {
  // Standard decorators compiled the way tsx and the bundler compile them (esbuild, target node20).
  dir = mkdtempSync(join(tmpdir(), 'lpk-lazy-decorator-'));
  const outfile = join(dir, 'decorated.mjs');
  buildSync({
    entryPoints: [new URL('./fixtures/decorated.ts', import.meta.url).pathname],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
  });
  fixture = (await import(pathToFileURL(outfile).href)) as Fixture;
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('@Lazy', () => {
  it('defers construction until the first method call', async () => {
    // Prepare
    const before = fixture.counters.constructed;

    // Act
    const service = new fixture.Service();
    const constructedAtNew = fixture.counters.constructed - before;
    const result = await service.ping();

    // Assess
    expect(constructedAtNew).toBe(0);
    expect(result).toBe('pong');
    expect(fixture.counters.constructed - before).toBe(1);
  });

  it('runs init() once under concurrent first calls', async () => {
    // Prepare
    const reports = new fixture.Reports('r');
    const before = fixture.counters.inits;

    // Act
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => reports.render(i)));
    const later = await reports.render(99);

    // Assess
    expect(fixture.counters.inits - before).toBe(1);
    expect(results[0]).toBe('r:0');
    expect(results[19]).toBe('r:19');
    expect(later).toBe('r:99');
  });

  it('does not cache a failed init(): the next call starts over and succeeds', async () => {
    // Prepare
    const flaky = new fixture.Flaky();

    // Act
    const first = await flaky.value().catch((error: unknown) => error);
    const second = await flaky.value();

    // Assess
    expect((first as Error).name).toBe('LazyInitError');
    expect((first as LazyInitError).message).toContain('Flaky');
    expect((first as LazyInitError).message).toContain('secret fetch failed');
    expect((first as LazyInitError).cause).toBeInstanceOf(Error);
    expect(second).toBe(2);
  });

  it('keeps instanceof, statics, private fields and properties once ready', async () => {
    // Prepare
    const config = new fixture.Config();

    // Act
    const readyBefore = fixture.isLazyReady(config);
    const instance = await fixture.lazyReady(config);
    const secretLength = await config.secretLength();

    // Assess
    expect(config).toBeInstanceOf(fixture.Config);
    expect(fixture.Config.kind).toBe('config');
    expect(readyBefore).toBe(false);
    expect(fixture.isLazyReady(config)).toBe(true);
    expect(instance.region).toBe('us-east-1');
    expect(config.region).toBe('us-east-1');
    expect(secretLength).toBe(6);
  });

  it('refuses a property write before initialization', () => {
    // Prepare
    const holder = new fixture.Holder();

    // Act / Assess
    expect(() => {
      holder.value = 2;
    }).toThrow(/before initialization/);
  });

  it('is not a thenable before initialization', async () => {
    // Prepare
    const service = new fixture.Service();

    // Act
    const awaited = await service;

    // Assess
    expect(awaited).toBe(service);
    expect(fixture.isLazyReady(service)).toBe(false);
  });
});
