import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { isLocalHost } from '../../../lambda/shared/connection-pool/index.js';
import { resolveOptions } from '../../../lambda/shared/connection-pool/resolveOptions.js';
import { defaultTls } from '../../../lambda/shared/connection-pool/tls.js';

const remote = 'db.cluster-abc123.eu-west-1.rds.amazonaws.com';

describe('TLS defaults', () => {
  it('tells local hosts from remote ones', () => {
    for (const host of [
      'localhost',
      '127.0.0.1',
      '127.1.2.3',
      '::1',
      '/var/run/postgresql',
      'app.localhost',
    ]) {
      expect(isLocalHost(host)).toBe(true);
    }
    for (const host of [remote, '10.0.1.5', 'db.internal', '128.0.0.1'])
      expect(isLocalHost(host)).toBe(false);
  });

  it('turns verified TLS on for a remote host the user gave no TLS settings for', () => {
    const { writer } = resolveOptions({ host: remote });
    expect(writer.config.ssl).toMatchObject({ rejectUnauthorized: true });
    const fromUrl = resolveOptions({ connectionString: `postgres://app@${remote}/shop` });
    expect(fromUrl.writer.config.ssl).toMatchObject({ rejectUnauthorized: true });
  });

  it('leaves TLS off for local hosts', () => {
    expect(resolveOptions({ host: '127.0.0.1' }).writer.config.ssl).toBeUndefined();
    expect(
      resolveOptions({ connectionString: 'postgres://app@localhost/shop' }).writer.config.ssl,
    ).toBeUndefined();
  });

  it('respects what the user chose: ssl option or sslmode in the connection string', () => {
    expect(resolveOptions({ host: remote, ssl: false }).writer.config.ssl).toBe(false);
    const custom = { rejectUnauthorized: false };
    expect(resolveOptions({ host: remote, ssl: custom }).writer.config.ssl).toBe(custom);
    expect(
      resolveOptions({ connectionString: `postgres://app@${remote}/shop?sslmode=no-verify` }).writer.config
        .ssl,
    ).toBeUndefined();
  });

  it('verifies against the CA file given, read once, on first use', () => {
    const dir = mkdtempSync(join(tmpdir(), 'perfkit-ca-'));
    const file = join(dir, 'ca.pem');
    writeFileSync(file, rootCertificates.slice(0, 3).join('\n'));
    const ssl = defaultTls(file) as { rejectUnauthorized: boolean; secureContext: unknown };
    expect(ssl.rejectUnauthorized).toBe(true);
    const context = ssl.secureContext;
    expect(context).toBeDefined();
    expect(ssl.secureContext).toBe(context);
    // pg copies the ssl object's enumerable properties into tls.connect()
    expect(Object.keys(ssl)).toContain('secureContext');
  });

  it('uses Lambda’s CA bundle when it exists, else Node’s trust store', () => {
    const dir = mkdtempSync(join(tmpdir(), 'perfkit-ca-'));
    const bundle = join(dir, 'ca-cert.pem');
    writeFileSync(bundle, rootCertificates[0] as string);
    expect(Object.keys(defaultTls(undefined, bundle))).toContain('secureContext');
    expect(defaultTls(undefined, join(dir, 'absent.pem'))).toEqual({ rejectUnauthorized: true });
  });
});
