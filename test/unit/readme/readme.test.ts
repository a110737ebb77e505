import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildReadme } from '../../../scripts/build-readme.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string) => readFileSync(`${root}${path}`, 'utf8');

describe('README.md', () => {
  it('carries the tested module sections and the last benchmark results verbatim (run scripts/build-readme.ts)', () => {
    const readme = read('README.md');
    expect(buildReadme(readme, read)).toBe(readme);
  });

  it('shows the two commands', () => {
    const readme = read('README.md');
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });
});
