import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BundleReport,
  bundleSplit,
  SPLIT_BUNDLE_HANDLER,
  splitBundleCode,
} from '../../../lib/bundling/index.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = (name: string) => join(root, 'test/fixtures/split-handler', name);
const runner = join(root, 'bench/fixtures/cold-start/runner.mjs');
const HEAVY = ['pg', '@aws-sdk/client-sqs', 'libpg-query'] as const;

let dir: string;
let split: BundleReport;
let eager: BundleReport;

async function invoke(entry: string, route: string): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [runner, entry, route], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir() },
  });
}

/** The metafile output files Node reads at init: the entry and its static imports, transitively. */
function initOutputs(metafile: Metafile, entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const imported of metafile.outputs[file]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) queue.push(imported.path);
    }
  }
  return seen;
}

function outputsWithPackage(metafile: Metafile, pkg: string): string[] {
  return Object.entries(metafile.outputs)
    .filter(([, output]) =>
      Object.entries(output.inputs).some(
        ([input, info]) => input.includes(`node_modules/${pkg}/`) && info.bytesInOutput > 0,
      ),
    )
    .map(([file]) => file);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lpk-bundle-'));
  split = bundleSplit({ entry: fixture('handler.ts'), outDir: join(dir, 'split') });
  eager = bundleSplit({ entry: fixture('handler-eager.ts'), outDir: join(dir, 'eager') });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('bundleSplit on the example handler', () => {
  it('puts pg, the SQS client and libpg-query each in its own chunk, off the init path (metafile)', () => {
    // Prepare
    const metafile = split.metafile as Metafile;
    const entry = Object.keys(metafile.outputs).find((file) => file.endsWith('/index.mjs')) as string;
    const atInit = initOutputs(metafile, entry);

    // Act
    const chunksByPackage = HEAVY.map((pkg) => outputsWithPackage(metafile, pkg));

    // Assess
    for (const [i, chunks] of chunksByPackage.entries()) {
      expect(chunks, HEAVY[i]).toHaveLength(1);
      expect(atInit.has(chunks[0] as string), `${HEAVY[i]} on the init path`).toBe(false);
    }
    expect(new Set(chunksByPackage.flat()).size).toBe(3);
    expect(split.initPackages.filter((p) => /^(pg|@aws-sdk|@smithy|libpg-query)/.test(p))).toEqual([]);
    expect(split.deferredPackages).toEqual(expect.arrayContaining([...HEAVY]));
  });

  it('reports fewer bytes on the init path than the eager bundle, and the rest as deferred', () => {
    // Assess
    expect(split.entryFile).toBe(join(dir, 'split', 'index.mjs'));
    expect(split.handler).toBe('index.handler');
    expect(split.chunks[0]?.file).toBe('index.mjs');
    expect(split.initBytes).toBeLessThan(eager.initBytes / 4);
    expect(split.deferredBytes).toBeGreaterThan(split.initBytes);
    expect(eager.initPackages).toEqual(expect.arrayContaining([...HEAVY]));
    expect(split.initBytes + split.deferredBytes).toBe(
      split.chunks.reduce((sum, chunk) => sum + chunk.bytes, 0),
    );
  });

  it('copies the SQL parser wasm next to the chunks and writes no source maps by default', () => {
    // Assess
    expect(split.assets).toEqual(['libpg-query.wasm']);
    expect(existsSync(join(split.outDir, 'libpg-query.wasm'))).toBe(true);
    expect(readdirSync(split.outDir).some((f) => f.endsWith('.map'))).toBe(false);
    expect(readFileSync(split.entryFile, 'utf8')).toContain('createRequire');
  });

  it('runs both routes from the split bundle in a fresh node process', async () => {
    // Act
    const health = await invoke(split.entryFile, 'GET /health');
    const orders = await invoke(split.entryFile, 'GET /orders');

    // Assess
    expect(JSON.parse(health.stdout.trim().split('\n').at(-1) as string)).toHaveProperty('firstMs');
    expect(orders.stdout).toContain('"ModuleLoadTime"');
  });

  it('answers GET /health without the heavy chunks on disk, proving they are not read at init', async () => {
    // Prepare: a copy of the bundle without the chunks holding pg, the SQS client and libpg-query
    const stripped = join(dir, 'stripped');
    cpSync(split.outDir, stripped, { recursive: true });
    for (const chunk of split.chunks) {
      if (!chunk.onInitPath && HEAVY.some((pkg) => chunk.packages.includes(pkg))) {
        rmSync(join(stripped, chunk.file));
      }
    }

    // Act
    const health = await invoke(join(stripped, 'index.mjs'), 'GET /health');
    const orders = await invoke(join(stripped, 'index.mjs'), 'GET /orders').catch((error: Error) => error);

    // Assess
    expect(health.stdout).toContain('firstMs');
    expect(orders).toBeInstanceOf(Error);
    expect((orders as Error).message).toMatch(/Could not load module '\.\/(db|queue|sql)-/);
  });

  it('writes source maps only when asked', () => {
    // Act
    const withMaps = bundleSplit({
      entry: fixture('handler.ts'),
      outDir: join(dir, 'maps'),
      sourceMap: true,
    });

    // Assess
    expect(readdirSync(withMaps.outDir).filter((f) => f.endsWith('.mjs.map')).length).toBe(
      withMaps.chunks.length,
    );
  });

  it('leaves externalModules out of every chunk and keeps them as runtime imports', () => {
    // Act
    const report = bundleSplit({
      entry: fixture('handler.ts'),
      outDir: join(dir, 'external'),
      externalModules: ['@aws-sdk/*'],
    });
    const metafile = report.metafile as Metafile;
    const externalImports = Object.values(metafile.outputs).flatMap((o) =>
      o.imports.filter((i) => i.external).map((i) => i.path),
    );

    // Assess
    expect(outputsWithPackage(metafile, '@aws-sdk/client-sqs')).toEqual([]);
    expect(externalImports).toContain('@aws-sdk/client-sqs');
    expect(report.deferredPackages).toEqual(expect.arrayContaining(['pg', 'libpg-query']));
  });

  it('builds one file with splitting off (the eager single-file peer)', () => {
    // Act
    const single = bundleSplit({
      entry: fixture('handler.ts'),
      outDir: join(dir, 'single'),
      splitting: false,
    });

    // Assess
    expect(single.chunks.map((c) => c.file)).toEqual(['index.mjs']);
    expect(single.deferredBytes).toBe(0);
    expect(single.initPackages).toEqual(expect.arrayContaining([...HEAVY]));
  });

  it('validates options with the field name and the value received', () => {
    // Act / Assess
    expect(() => bundleSplit({ entry: '', outDir: dir })).toThrow(/options\.entry/);
    expect(() => bundleSplit({ entry: fixture('handler.ts'), outDir: dir, target: 'es5' })).toThrow(
      /options\.target.*'node22'.*"es5"/,
    );
    expect(() =>
      bundleSplit({ entry: fixture('handler.ts'), outDir: dir, externalModules: 'pg' as never }),
    ).toThrow(/options\.externalModules/);
  });
});

describe('splitBundleCode', () => {
  it('gives a Lambda asset bundled by the splitter, offline', () => {
    // Prepare
    const outdir = join(dir, 'cdk.out');
    const app = new App({ outdir });
    const stack = new Stack(app, 'SplitStack');

    // Act
    new LambdaFunction(stack, 'Api', {
      runtime: Runtime.NODEJS_22_X,
      handler: SPLIT_BUNDLE_HANDLER,
      code: splitBundleCode(fixture('handler.ts')),
    });
    const template = Template.fromStack(stack);
    app.synth();

    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
    });
    const assetDir = readdirSync(outdir).find((f) => f.startsWith('asset.')) as string;
    const files = readdirSync(join(outdir, assetDir));
    expect(files).toContain('index.mjs');
    expect(files).toContain('libpg-query.wasm');
    expect(files.filter((f) => f.endsWith('.mjs')).length).toBeGreaterThan(3);
  });

  it('skips bundling under the aws:cdk:bundling-stacks context', () => {
    // Prepare
    const app = new App({ outdir: join(dir, 'cdk.skip'), context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Skipped');

    // Act
    new LambdaFunction(stack, 'Api', {
      runtime: Runtime.NODEJS_22_X,
      handler: SPLIT_BUNDLE_HANDLER,
      code: splitBundleCode(fixture('handler.ts')),
    });

    // Assess
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::Function', 1);
    expect(existsSync(join(dir, 'cdk.skip'))).toBe(true);
  });

  it('refuses an entry that does not exist', () => {
    // Act / Assess
    expect(() => splitBundleCode(fixture('missing.ts'))).toThrow(
      /entry must be an existing file.*missing\.ts/,
    );
  });
});

describe('layering', () => {
  it('keeps pg out of lib/bundling and aws-cdk-lib out of the lazy loader', () => {
    // Prepare
    const read = (folder: string) =>
      readdirSync(join(root, folder))
        .filter((f) => f.endsWith('.ts'))
        .map((f) => readFileSync(join(root, folder, f), 'utf8'))
        .join('\n');

    // Assess
    expect(read('lib/bundling')).not.toMatch(/from ['"]pg['"]/);
    expect(read('lambda/shared/lazy-loader')).not.toMatch(/aws-cdk-lib/);
  });
});
