/**
 * TLS by default off localhost: verified (`rejectUnauthorized: true`) against the RDS CAs.
 * Lambda's Node.js runtimes keep the Amazon CA bundle (RDS included) at /var/runtime/ca-cert.pem
 * but no longer load it by default; the pool reads it (once, at the first connection) instead of
 * asking for `NODE_EXTRA_CA_CERTS`, which would slow every cold start.
 */
import { existsSync, readFileSync } from 'node:fs';
import { type ConnectionOptions, createSecureContext, type SecureContext } from 'node:tls';
import type { PoolConfig } from 'pg';
import { LAMBDA_CA_BUNDLE_PATH } from './constants.js';

/** Whether the user chose TLS settings themselves (option, connection string or `PGSSLMODE`). */
export function tlsChosenByUser(
  config: PoolConfig,
  env: Record<string, string | undefined> = process.env,
): boolean {
  if (config.ssl !== undefined) return true;
  if (config.connectionString && /[?&](ssl|sslmode|sslrootcert|sslcert)=/i.test(config.connectionString))
    return true;
  return env.PGSSLMODE !== undefined;
}

/**
 * The `ssl` option for a non-local host the user gave no TLS settings for: verified TLS, with the
 * CAs of `caFile`, else of Lambda's bundle when present, else Node's trust store (plus
 * `NODE_EXTRA_CA_CERTS`). The PEM is read and parsed once, on first use.
 *
 * @example
 * ```ts
 * const ssl = defaultTls('/opt/rds-global-bundle.pem');
 * new pg.Pool({ host: 'db.cluster-abc.eu-west-1.rds.amazonaws.com', ssl });
 * ```
 */
export function defaultTls(caFile?: string, lambdaBundle: string = LAMBDA_CA_BUNDLE_PATH): ConnectionOptions {
  if (caFile !== undefined && !existsSync(caFile)) {
    throw new TypeError(`rdsCaFile must name a readable PEM file; there is no file at ${caFile}`);
  }
  const file = caFile ?? (existsSync(lambdaBundle) ? lambdaBundle : undefined);
  const ssl: ConnectionOptions = { rejectUnauthorized: true };
  if (file === undefined) return ssl;
  let context: SecureContext | undefined;
  // pg copies the ssl object's enumerable properties into tls.connect at each connection: a getter
  // keeps the file read and the certificate parsing off the cold path, and does them once.
  Object.defineProperty(ssl, 'secureContext', {
    enumerable: true,
    get: () => {
      context ??= createSecureContext({ ca: readFileSync(file, 'utf8') });
      return context;
    },
  });
  return ssl;
}
