/**
 * Fills README.md from its parts, so the module sections a test runs (docs/readme/<module>.md) and
 * the README a user reads are the same text, and the benchmark table is bench/results.json:
 *   <!-- module:pool --> … <!-- /module:pool -->   ← docs/readme/pool.md
 *   <!-- bench --> … <!-- /bench -->               ← bench/results.json
 * `npx tsx scripts/build-readme.ts` rewrites README.md; `--check` exits 1 when it is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type BenchResult, formatFigure as fmt } from '../bench/harness.js';

const root = fileURLToPath(new URL('..', import.meta.url));

type BenchRow = BenchResult;

export function benchTable(rows: readonly BenchRow[]): string {
  const lines = ['| module | benchmark | median | spread | goal | met |', '|---|---|---|---|---|---|'];
  for (const r of rows) {
    const spread = r.spread ? `${fmt(r.spread[0])}–${fmt(r.spread[1])}` : '';
    lines.push(
      `| ${r.module} | ${r.name.replaceAll('|', '\\|')} | ${fmt(r.value)} ${r.unit} | ${spread} | ${r.goal.replaceAll('|', '\\|')} | ${r.pass ? 'yes' : '**no**'} |`,
    );
  }
  return lines.join('\n');
}

export function buildReadme(readme: string, read: (path: string) => string): string {
  let out = readme.replace(
    /<!-- module:([a-z-]+) -->[\s\S]*?<!-- \/module:\1 -->/g,
    (_match, name: string) => {
      const section = read(`docs/readme/${name}.md`).trim();
      return `<!-- module:${name} -->\n${section}\n<!-- /module:${name} -->`;
    },
  );
  out = out.replace(/<!-- bench -->[\s\S]*?<!-- \/bench -->/, () => {
    const rows = JSON.parse(read('bench/results.json')) as BenchRow[];
    return `<!-- bench -->\n${benchTable(rows)}\n<!-- /bench -->`;
  });
  return out;
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const current = readFileSync(`${root}README.md`, 'utf8');
  const next = buildReadme(current, (path) => readFileSync(`${root}${path}`, 'utf8'));
  if (process.argv.includes('--check')) {
    if (next !== current) {
      console.error('README.md is out of date: run `npx tsx scripts/build-readme.ts`');
      process.exitCode = 1;
    }
  } else {
    writeFileSync(`${root}README.md`, next);
  }
}
