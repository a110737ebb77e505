import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope } from '../../../lambda/shared/query-optimizer/ResultCodec.js';

describe('L2 result codec', () => {
  it('round-trips Dates, BigInts and Buffers', () => {
    const rows = [
      { at: new Date('2026-01-02T03:04:05Z'), big: 10n ** 20n, raw: Buffer.from([1, 2, 3]), s: 'x' },
    ];
    const decoded = decodeEnvelope(
      encodeEnvelope({ v: 1, g: [1, 2], r: { command: 'SELECT', rowCount: 1, rows, fields: [] } }),
    );
    expect(decoded?.r.rows).toEqual(rows);
    expect(decoded?.g).toEqual([1, 2]);
  });

  it('returns undefined for garbage', () => {
    for (const text of ['', 'nope', '{"v":2}', '{"v":1,"g":[1],"r":{"rows":"x"}}', 'null', '[1]']) {
      expect(decodeEnvelope(text), text).toBeUndefined();
    }
  });
});
