import { statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Metafile } from 'esbuild';
import { APP_PACKAGE } from './constants.js';
import type { BundleChunk } from './types.js';

/**
 * The npm package an esbuild input path belongs to (`node_modules/@aws-sdk/client-sqs/dist-es/x.js`
 * → `@aws-sdk/client-sqs`), or {@link APP_PACKAGE} for the application's own files.
 *
 * @example
 * ```ts
 * packageOf('node_modules/pg/lib/index.js'); // 'pg'
 * ```
 */
export function packageOf(inputPath: string): string {
  const normalized = inputPath.replaceAll('\\', '/');
  const marker = 'node_modules/';
  const at = normalized.lastIndexOf(marker);
  if (at === -1) return APP_PACKAGE;
  const parts = normalized.slice(at + marker.length).split('/');
  const first = parts[0] ?? '';
  return first.startsWith('@') ? `${first}/${parts[1] ?? ''}` : first;
}

/** Summary of a metafile's JavaScript outputs. */
export interface ChunkSummary {
  chunks: BundleChunk[];
  initBytes: number;
  deferredBytes: number;
  initPackages: string[];
  deferredPackages: string[];
}

/**
 * Reads esbuild's metafile: which outputs Node reads at init (the entry and its static imports,
 * transitively) and which only when a dynamic `import()` runs, with the packages in each.
 *
 * @example
 * ```ts
 * const summary = summarizeMetafile(result.metafile, outDir, 'index.mjs');
 * console.log(summary.initBytes, summary.deferredBytes);
 * ```
 */
export function summarizeMetafile(
  metafile: Metafile,
  outDir: string,
  entryFile: string,
  workingDir: string = process.cwd(),
): ChunkSummary {
  const toRel = (output: string): string => relative(outDir, join(workingDir, output)).replaceAll('\\', '/');
  const jsOutputs = Object.entries(metafile.outputs).filter(([name]) => name.endsWith('.mjs'));
  const byRel = new Map(jsOutputs.map(([name, output]) => [toRel(name), { name, output }]));

  const onInit = new Set<string>();
  const queue = [entryFile];
  while (queue.length > 0) {
    const rel = queue.pop() as string;
    if (onInit.has(rel)) continue;
    const found = byRel.get(rel);
    if (!found) continue;
    onInit.add(rel);
    for (const imported of found.output.imports) {
      if (imported.kind !== 'import-statement' || imported.external) continue;
      queue.push(toRel(imported.path));
    }
  }

  const chunks: BundleChunk[] = [];
  for (const [rel, { output, name }] of byRel) {
    const bytesByPackage: Record<string, number> = {};
    for (const [input, info] of Object.entries(output.inputs)) {
      if (info.bytesInOutput === 0) continue;
      const pkg = packageOf(input);
      bytesByPackage[pkg] = (bytesByPackage[pkg] ?? 0) + info.bytesInOutput;
    }
    chunks.push({
      file: rel,
      bytes: fileSize(join(workingDir, name), output.bytes),
      onInitPath: onInit.has(rel),
      packages: Object.keys(bytesByPackage).sort(),
      bytesByPackage,
    });
  }
  chunks.sort((a, b) =>
    a.file === entryFile ? -1 : b.file === entryFile ? 1 : a.file.localeCompare(b.file),
  );

  const initPackages = new Set<string>();
  const deferredPackages = new Set<string>();
  let initBytes = 0;
  let deferredBytes = 0;
  for (const chunk of chunks) {
    if (chunk.onInitPath) {
      initBytes += chunk.bytes;
      for (const pkg of chunk.packages) initPackages.add(pkg);
    } else {
      deferredBytes += chunk.bytes;
    }
  }
  for (const chunk of chunks) {
    if (chunk.onInitPath) continue;
    for (const pkg of chunk.packages) if (!initPackages.has(pkg)) deferredPackages.add(pkg);
  }
  return {
    chunks,
    initBytes,
    deferredBytes,
    initPackages: [...initPackages].filter((p) => p !== APP_PACKAGE).sort(),
    deferredPackages: [...deferredPackages].filter((p) => p !== APP_PACKAGE).sort(),
  };
}

function fileSize(path: string, fallback: number): number {
  try {
    return statSync(path).size;
  } catch {
    return fallback;
  }
}
