import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleSplit } from '../../../lib/bundling/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const example = (name: string) => join(root, 'lambda/examples', name);

// The handlers the CDK stack deploys, bundled exactly as it bundles them.
describe('the example handlers, split by the bundler', () => {
  const dir = mkdtempSync(join(tmpdir(), 'perfkit-examples-bundle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('API read path: pg, the SQL parser and the X-Ray tracer are in chunks Node does not read at init', () => {
    const split = bundleSplit({
      entry: example('performance-optimized-handler.ts'),
      outDir: join(dir, 'api'),
    });
    const eager = bundleSplit({
      entry: example('performance-optimized-handler.ts'),
      outDir: join(dir, 'api-eager'),
      splitting: false,
    });
    for (const heavy of ['pg', 'libpg-query', '@aws-lambda-powertools/tracer', 'lru-cache']) {
      expect(split.initPackages).not.toContain(heavy);
      expect(split.deferredPackages).toContain(heavy);
    }
    expect(split.initBytes).toBeLessThan(eager.initBytes / 5);
  });

  it('SQS worker: the SQS client is not read at init (the processor never imports it; the feeder loads it lazily)', () => {
    const worker = bundleSplit({ entry: example('sqs-worker.ts'), outDir: join(dir, 'worker') });
    expect(worker.initPackages.filter((p) => p.startsWith('@aws-sdk/'))).toEqual([]);
    expect(worker.initPackages).toContain('pg');
  });
});
