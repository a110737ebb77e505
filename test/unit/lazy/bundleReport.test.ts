import type { Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { APP_PACKAGE, packageOf, summarizeMetafile } from '../../../lib/bundling/index.js';

describe('packageOf', () => {
  it('names the npm package of an input path, scoped or not, or the app', () => {
    // Assess
    expect(packageOf('node_modules/pg/lib/index.js')).toBe('pg');
    expect(packageOf('node_modules/@aws-sdk/client-sqs/dist-es/index.js')).toBe('@aws-sdk/client-sqs');
    expect(packageOf('node_modules/a/node_modules/pg-types/index.js')).toBe('pg-types');
    expect(packageOf('src/handler.ts')).toBe(APP_PACKAGE);
  });
});

describe('summarizeMetafile', () => {
  it('counts the entry and its static imports as init, dynamic imports as deferred', () => {
    // Prepare: index -> (static) shared -> (dynamic) heavy; index -> (dynamic) lazy
    const input = (bytesInOutput: number) => ({ bytesInOutput });
    const metafile = {
      inputs: {},
      outputs: {
        'out/index.mjs': {
          bytes: 100,
          inputs: { 'src/handler.ts': input(90) },
          imports: [
            { path: 'out/shared-A.mjs', kind: 'import-statement' },
            { path: 'out/lazy-B.mjs', kind: 'dynamic-import' },
            { path: 'pg-native', kind: 'require-call', external: true },
          ],
          exports: [],
        },
        'out/shared-A.mjs': {
          bytes: 50,
          inputs: { 'node_modules/tiny/index.js': input(50) },
          imports: [{ path: 'out/heavy-C.mjs', kind: 'dynamic-import' }],
          exports: [],
        },
        'out/lazy-B.mjs': {
          bytes: 300,
          inputs: { 'node_modules/pg/lib/index.js': input(200), 'src/db.ts': input(100) },
          imports: [{ path: 'out/shared-A.mjs', kind: 'import-statement' }],
          exports: [],
        },
        'out/heavy-C.mjs': {
          bytes: 700,
          inputs: {
            'node_modules/libpg-query/wasm/index.js': input(700),
            'node_modules/tiny/x.js': input(0),
          },
          imports: [],
          exports: [],
        },
        'out/lazy-B.mjs.map': { bytes: 999, inputs: {}, imports: [], exports: [] },
      },
    } as unknown as Metafile;

    // Act
    const summary = summarizeMetafile(metafile, '/w/out', 'index.mjs', '/w');

    // Assess
    expect(summary.chunks.map((c) => [c.file, c.onInitPath])).toEqual([
      ['index.mjs', true],
      ['heavy-C.mjs', false],
      ['lazy-B.mjs', false],
      ['shared-A.mjs', true],
    ]);
    expect(summary.initBytes).toBe(150);
    expect(summary.deferredBytes).toBe(1000);
    expect(summary.initPackages).toEqual(['tiny']);
    expect(summary.deferredPackages).toEqual(['libpg-query', 'pg']);
    expect(summary.chunks[2]?.bytesByPackage).toEqual({ pg: 200, [APP_PACKAGE]: 100 });
  });
});
