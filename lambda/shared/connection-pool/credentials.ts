/**
 * Where passwords come from, besides pg's static `password`: a Secrets Manager secret, an RDS IAM
 * token, or the user's own fetcher. The AWS SDK clients are loaded with a dynamic `import()` only
 * when such a source is configured, so they never weigh on a cold start that does not use them.
 *
 * Secrets live in `#private` fields: never enumerable, never printed by `console.log` or
 * `util.inspect`, never part of an error message.
 */
import { IAM_TOKEN_REFRESH_AFTER_MILLIS } from './constants.js';
import { PoolCredentialsError } from './errors.js';
import type { CredentialsOptions, DatabaseCredentials } from './types.js';

/** What pg passes to a password callback. */
export interface PasswordParams {
  host: string;
  port: number;
  user: string;
}

/** A source of credentials the pool asks before each new connection. */
export interface CredentialSource {
  /** Where the credentials come from, for messages (never the secret itself). */
  readonly description: string;
  /** The username to connect as when the source decides it (a secret's `username`), else undefined. */
  readonly user: string | undefined;
  /** undefined once the first credentials are in; else a promise that fetches them. */
  ready(): Promise<void> | undefined;
  /** pg's password callback: called for every new connection. */
  password(params: PasswordParams): Promise<string>;
  /** Drops what is cached and fetches again (after `28P01`). Concurrent calls share one fetch. */
  refresh(): Promise<void>;
}

function reason(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Credentials fetched by a function (Secrets Manager, or the user's provider) and cached until refreshed. */
export class FetchedCredentials implements CredentialSource {
  readonly description: string;
  readonly #fetch: () => Promise<DatabaseCredentials>;
  #current: DatabaseCredentials | undefined;
  #loading: Promise<void> | undefined;

  constructor(fetch: () => Promise<DatabaseCredentials>, description: string) {
    this.#fetch = fetch;
    this.description = description;
  }

  get user(): string | undefined {
    return this.#current?.user;
  }

  ready(): Promise<void> | undefined {
    return this.#current ? undefined : this.#load();
  }

  async password(): Promise<string> {
    if (!this.#current) await this.#load();
    return (this.#current as DatabaseCredentials).password;
  }

  refresh(): Promise<void> {
    return this.#load();
  }

  #load(): Promise<void> {
    this.#loading ??= (async () => {
      let fetched: DatabaseCredentials;
      try {
        fetched = await this.#fetch();
      } catch (error) {
        throw new PoolCredentialsError(
          `could not fetch credentials from ${this.description}: ${reason(error)}`,
          {
            cause: error,
          },
        );
      }
      if (typeof fetched?.password !== 'string' || fetched.password === '') {
        throw new PoolCredentialsError(
          `${this.description} returned no password: expected { user?: string, password: string }`,
        );
      }
      if (fetched.user !== undefined && (typeof fetched.user !== 'string' || fetched.user === '')) {
        throw new PoolCredentialsError(`${this.description} returned a user that is not a non-empty string`);
      }
      this.#current =
        fetched.user === undefined
          ? { password: fetched.password }
          : { user: fetched.user, password: fetched.password };
    })().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }
}

/**
 * Reads a secret value: the RDS JSON shape `{ "username": …, "password": … }` (also `user`), or a
 * bare password. The value itself never appears in an error.
 *
 * @example
 * ```ts
 * parseSecret('{"username":"app","password":"pw"}', 'prod/db'); // { user: 'app', password: 'pw' }
 * ```
 */
export function parseSecret(secretString: string | undefined, secretId: string): DatabaseCredentials {
  if (secretString === undefined) {
    throw new Error(`secret ${secretId} has no SecretString (binary secrets are not supported)`);
  }
  if (!secretString.trimStart().startsWith('{')) return { password: secretString };
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw new Error(`secret ${secretId} starts with '{' but is not valid JSON`);
  }
  const { username, user, password } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof password !== 'string') {
    throw new Error(`secret ${secretId} is JSON without a string "password" field`);
  }
  const name = typeof username === 'string' ? username : typeof user === 'string' ? user : undefined;
  return name === undefined ? { password } : { user: name, password };
}

/** A fetcher for a Secrets Manager secret; `@aws-sdk/client-secrets-manager` is imported on first call. */
export function secretsManagerFetcher(
  secretId: string,
  clientConfig: Record<string, unknown> = {},
): () => Promise<DatabaseCredentials> {
  let client: { send(command: unknown): Promise<{ SecretString?: string }> } | undefined;
  let command: (new (input: { SecretId: string }) => unknown) | undefined;
  return async () => {
    if (!client || !command) {
      const sdk = await import('@aws-sdk/client-secrets-manager');
      client = new sdk.SecretsManagerClient(clientConfig) as unknown as typeof client;
      command = sdk.GetSecretValueCommand as unknown as typeof command;
    }
    const output = await (client as NonNullable<typeof client>).send(
      new (command as NonNullable<typeof command>)({ SecretId: secretId }),
    );
    return parseSecret(output.SecretString, secretId);
  };
}

/**
 * RDS IAM authentication: signs a token per host/port/user with `@aws-sdk/rds-signer` (imported on
 * first use) and reuses it for 10 of its 15 minutes, so a connection never starts with a token
 * about to expire. A `28P01` drops the cache and the next connection signs anew.
 */
export class IamCredentials implements CredentialSource {
  readonly description = 'RDS IAM authentication';
  readonly user = undefined;
  readonly #region: string | undefined;
  readonly #awsCredentials: unknown;
  readonly #now: () => number;
  readonly #tokens = new Map<string, { token: string; signedAt: number }>();
  readonly #signing = new Map<string, Promise<string>>();

  constructor(options: { region?: string; awsCredentials?: unknown } = {}, now: () => number = Date.now) {
    this.#region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    this.#awsCredentials = options.awsCredentials;
    this.#now = now;
  }

  ready(): undefined {
    return undefined;
  }

  password(params: PasswordParams): Promise<string> {
    const key = `${params.user}@${params.host}:${params.port}`;
    const cached = this.#tokens.get(key);
    if (cached && this.#now() - cached.signedAt < IAM_TOKEN_REFRESH_AFTER_MILLIS) {
      return Promise.resolve(cached.token);
    }
    let signing = this.#signing.get(key);
    if (!signing) {
      const signedAt = this.#now();
      signing = this.#sign(params)
        .then((token) => {
          this.#tokens.set(key, { token, signedAt });
          return token;
        })
        .finally(() => this.#signing.delete(key));
      this.#signing.set(key, signing);
    }
    return signing;
  }

  refresh(): Promise<void> {
    this.#tokens.clear();
    return Promise.resolve();
  }

  async #sign(params: PasswordParams): Promise<string> {
    try {
      const { Signer } = await import('@aws-sdk/rds-signer');
      const signer = new Signer({
        hostname: params.host,
        port: params.port,
        username: params.user,
        ...(this.#region === undefined ? {} : { region: this.#region }),
        ...(this.#awsCredentials === undefined
          ? {}
          : { credentials: this.#awsCredentials as ConstructorParameters<typeof Signer>[0]['credentials'] }),
      });
      return await signer.getAuthToken();
    } catch (error) {
      throw new PoolCredentialsError(
        `could not sign an RDS IAM token for ${params.user}@${params.host}:${params.port}: ${reason(error)}`,
        { cause: error },
      );
    }
  }
}

/**
 * The credential source for the `credentials` option (undefined: pg's static password).
 *
 * @example
 * ```ts
 * const source = createCredentialSource({ source: 'secrets-manager', secretId: 'prod/db' });
 * ```
 */
export function createCredentialSource(
  options: CredentialsOptions | undefined,
): CredentialSource | undefined {
  if (!options) return undefined;
  switch (options.source) {
    case 'secrets-manager':
      return new FetchedCredentials(
        secretsManagerFetcher(options.secretId, options.clientConfig),
        `Secrets Manager secret ${options.secretId}`,
      );
    case 'iam':
      return new IamCredentials({
        ...(options.region === undefined ? {} : { region: options.region }),
        ...(options.awsCredentials === undefined ? {} : { awsCredentials: options.awsCredentials }),
      });
    case 'provider':
      return new FetchedCredentials(options.getCredentials, 'the credentials provider');
  }
}
