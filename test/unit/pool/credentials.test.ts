import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  FetchedCredentials,
  IamCredentials,
  parseSecret,
} from '../../../lambda/shared/connection-pool/credentials.js';
import { PoolCredentialsError } from '../../../lambda/shared/connection-pool/index.js';

const fakeAws = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const params = { host: 'db.cluster-abc.eu-west-1.rds.amazonaws.com', port: 5432, user: 'app' };

describe('parseSecret', () => {
  it('reads the RDS JSON shape, `user` as well as `username`, and a bare password', () => {
    expect(parseSecret('{"username":"app","password":"pw","host":"h"}', 'prod/db')).toEqual({
      user: 'app',
      password: 'pw',
    });
    expect(parseSecret('{"user":"app","password":"pw"}', 'prod/db')).toEqual({ user: 'app', password: 'pw' });
    expect(parseSecret('just-a-password', 'prod/db')).toEqual({ password: 'just-a-password' });
  });

  it('never puts the secret value into its errors', () => {
    expect(() => parseSecret('{"password": "leak-me-123"', 'prod/db')).toThrow('is not valid JSON');
    try {
      parseSecret('{"password": "leak-me-123"', 'prod/db');
    } catch (error) {
      expect((error as Error).message).not.toContain('leak-me-123');
    }
    expect(() => parseSecret('{"username":"app","pass":"leak-me-123"}', 'prod/db')).toThrow(
      'without a string "password" field',
    );
    expect(() => parseSecret(undefined, 'prod/db')).toThrow('binary secrets are not supported');
  });
});

describe('FetchedCredentials', () => {
  it('fetches once for concurrent callers and again on refresh', async () => {
    let calls = 0;
    const source = new FetchedCredentials(async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return { user: 'app', password: `pw-${calls}` };
    }, 'a test provider');
    expect(source.user).toBeUndefined();
    await Promise.all([source.ready(), source.ready(), source.password()]);
    expect(calls).toBe(1);
    expect(source.user).toBe('app');
    expect(source.ready()).toBeUndefined();
    expect(await source.password()).toBe('pw-1');
    await Promise.all([source.refresh(), source.refresh()]);
    expect(calls).toBe(2);
    expect(await source.password()).toBe('pw-2');
  });

  it('keeps the secret out of sight: not enumerable, not in inspect or JSON', async () => {
    const source = new FetchedCredentials(async () => ({ password: 'Never-Print-Me' }), 'a test provider');
    await source.ready();
    expect(Object.keys(source).join()).not.toContain('password');
    expect(JSON.stringify(source)).not.toContain('Never-Print-Me');
    expect(inspect(source, { depth: 10, showHidden: true })).not.toContain('Never-Print-Me');
  });

  it('wraps a failed fetch in PoolCredentialsError and fetches again next time', async () => {
    let fail = true;
    const source = new FetchedCredentials(async () => {
      if (fail) throw new Error('AccessDeniedException: not allowed');
      return { password: 'ok' };
    }, 'Secrets Manager secret prod/db');
    await expect(source.ready()).rejects.toThrow(PoolCredentialsError);
    await expect(source.ready()).rejects.toThrow(
      'could not fetch credentials from Secrets Manager secret prod/db: Error: AccessDeniedException: not allowed',
    );
    fail = false;
    await source.ready();
    expect(await source.password()).toBe('ok');
  });

  it('rejects a fetch without a password', async () => {
    const source = new FetchedCredentials(async () => ({ user: 'app' }) as never, 'a test provider');
    await expect(source.ready()).rejects.toThrow('a test provider returned no password');
  });
});

describe('IamCredentials', () => {
  it('signs an RDS auth token with @aws-sdk/rds-signer for the host, port and user', async () => {
    const iam = new IamCredentials({ region: 'eu-west-1', awsCredentials: fakeAws });
    const token = await iam.password(params);
    expect(token.startsWith(`${params.host}:5432/?`)).toBe(true);
    expect(token).toContain('Action=connect');
    expect(token).toContain('DBUser=app');
    expect(token).toContain('X-Amz-Expires=900');
    expect(token).toContain('eu-west-1%2Frds-db%2Faws4_request');
  });

  it('reuses a token for 10 of its 15 minutes, then signs a new one', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    let signed = 0;
    const awsCredentials = async () => {
      signed++;
      return fakeAws;
    };
    const iam = new IamCredentials({ region: 'eu-west-1', awsCredentials }, () => now);
    const first = await iam.password(params);
    expect(signed).toBe(1);
    now += 9 * 60_000;
    expect(await iam.password(params)).toBe(first);
    expect(signed).toBe(1);
    now += 2 * 60_000;
    const [second, same] = await Promise.all([iam.password(params), iam.password(params)]);
    expect(second).toBe(same);
    expect(signed).toBe(2);
    // a different host (the reader) gets its own token
    const reader = await iam.password({ ...params, host: 'db.cluster-ro-abc.eu-west-1.rds.amazonaws.com' });
    expect(reader).toContain('cluster-ro-abc');
  });

  it('forgets its tokens on refresh (after a 28P01)', async () => {
    let signed = 0;
    const awsCredentials = async () => {
      signed++;
      return fakeAws;
    };
    const iam = new IamCredentials({ region: 'eu-west-1', awsCredentials });
    await iam.password(params);
    await iam.password(params);
    const before = signed;
    await iam.refresh();
    await iam.password(params);
    expect(signed).toBeGreaterThan(before);
  });
});
