/**
 * The L2 cache in Redis / ElastiCache. It fails open: Redis down, slow or returning garbage turns
 * into a miss within `timeoutMillis`, is counted, and after `failureThreshold` consecutive failures a
 * breaker skips Redis for `breakerMillis`. ioredis is imported only when L2 is configured.
 */
import { OPTIMIZER_DEFAULTS } from './constants.js';
import { type CachedEnvelope, decodeEnvelope, encodeEnvelope } from './ResultCodec.js';
import type { RedisCacheOptions, RedisLike } from './types.js';

/** L2 counters. */
export interface RedisCacheCounters {
  hits: number;
  misses: number;
  errors: number;
  timeouts: number;
  garbage: number;
  skipped: number;
}

class L2Timeout extends Error {
  override name = 'L2Timeout';
}

/** What an L2 lookup found. */
export interface L2Lookup {
  envelope: CachedEnvelope | undefined;
  /** Remote table generations at lookup time (to tag what this read will store); undefined if Redis failed. */
  generations: number[] | undefined;
}

/**
 * Redis-backed L2 with per-table generation counters shared by every Lambda environment.
 *
 * @example
 * ```ts
 * const l2 = new RedisCache({ url: process.env.REDIS_URL });
 * const found = await l2.lookup('key', ['*', 'orders']);
 * ```
 */
export class RedisCache {
  readonly counters: RedisCacheCounters = {
    hits: 0,
    misses: 0,
    errors: 0,
    timeouts: 0,
    garbage: 0,
    skipped: 0,
  };
  readonly #prefix: string;
  readonly #timeoutMillis: number;
  readonly #failureThreshold: number;
  readonly #breakerMillis: number;
  readonly #ownsClient: boolean;
  #client: RedisLike | undefined;
  #connecting: Promise<RedisLike> | undefined;
  #consecutiveFailures = 0;
  #breakerUntil = 0;
  #closed = false;

  constructor(private readonly options: RedisCacheOptions) {
    this.#prefix = options.keyPrefix ?? OPTIMIZER_DEFAULTS.redisKeyPrefix;
    this.#timeoutMillis = options.timeoutMillis ?? OPTIMIZER_DEFAULTS.redisTimeoutMillis;
    this.#failureThreshold = options.failureThreshold ?? OPTIMIZER_DEFAULTS.redisFailureThreshold;
    this.#breakerMillis = options.breakerMillis ?? OPTIMIZER_DEFAULTS.redisBreakerMillis;
    this.#client = options.client;
    this.#ownsClient = options.client === undefined;
    if (!options.client && !options.url) {
      throw new TypeError('redis: give either `url` or `client` (received neither)');
    }
  }

  /** True while the breaker skips Redis. */
  get breakerOpen(): boolean {
    return Date.now() < this.#breakerUntil;
  }

  #connect(): Promise<RedisLike> {
    if (this.#client) return Promise.resolve(this.#client);
    this.#connecting ??= import('ioredis').then((mod) => {
      const url = this.options.url as string;
      const tls = this.options.tls ?? (url.startsWith('rediss://') ? {} : undefined);
      const client = new mod.Redis(url, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        commandTimeout: this.#timeoutMillis,
        connectTimeout: 2_000,
        retryStrategy: (times: number) => Math.min(times * 200, 2_000),
        ...(tls ? { tls } : {}),
      });
      // Without a listener ioredis prints every connection error; we count them instead.
      client.on('error', () => undefined);
      if (this.#closed) client.disconnect();
      this.#client = client as unknown as RedisLike;
      return this.#client;
    });
    return this.#connecting;
  }

  /** Starts connecting in the background (the first lookups miss until Redis is ready). */
  warm(): void {
    this.#connect().catch(() => undefined);
  }

  /** Resolves when Redis is ready, or after `timeoutMillis` (never rejects). */
  async waitReady(timeoutMillis: number): Promise<boolean> {
    const client = await this.#connect().catch(() => undefined);
    if (!client) return false;
    if (client.status === 'ready') return true;
    if (!client.once) return false;
    const once = client.once.bind(client);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMillis);
      timer.unref();
      once('ready', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  async #run<T>(op: (client: RedisLike) => Promise<T>): Promise<T | undefined> {
    if (this.#closed || this.breakerOpen) {
      this.counters.skipped++;
      return undefined;
    }
    let client: RedisLike;
    try {
      client = await this.#connect();
    } catch {
      this.#fail();
      return undefined;
    }
    if (client.status !== 'ready') {
      this.counters.skipped++;
      return undefined;
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        op(client),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new L2Timeout()), this.#timeoutMillis);
          timer.unref();
        }),
      ]);
      this.#consecutiveFailures = 0;
      return result;
    } catch (error) {
      if (error instanceof L2Timeout || (error instanceof Error && /timed? ?out/i.test(error.message))) {
        this.counters.timeouts++;
      }
      this.#fail();
      return undefined;
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  #fail(): void {
    this.counters.errors++;
    this.#consecutiveFailures++;
    if (this.#consecutiveFailures >= this.#failureThreshold) {
      this.#breakerUntil = Date.now() + this.#breakerMillis;
      this.#consecutiveFailures = 0;
    }
  }

  #genKeys(tables: readonly string[]): string[] {
    return tables.map((t) => `${this.#prefix}gen:${t}`);
  }

  /** Reads an entry and the current generations of its tables in one round trip. */
  async lookup(key: string, tables: readonly string[]): Promise<L2Lookup> {
    const values = await this.#run((c) => c.mget(`${this.#prefix}v:${key}`, ...this.#genKeys(tables)));
    if (!values) return { envelope: undefined, generations: undefined };
    const [raw, ...gens] = values;
    const generations = gens.map((g) => {
      const n = Number(g ?? 0);
      return Number.isFinite(n) ? n : -1;
    });
    if (raw === null || raw === undefined) {
      this.counters.misses++;
      return { envelope: undefined, generations };
    }
    const envelope = decodeEnvelope(raw);
    if (!envelope) {
      this.counters.garbage++;
      this.counters.misses++;
      return { envelope: undefined, generations };
    }
    if (envelope.g.length !== generations.length || envelope.g.some((g, i) => g !== generations[i])) {
      this.counters.misses++;
      return { envelope: undefined, generations };
    }
    this.counters.hits++;
    return { envelope, generations };
  }

  /** Stores an entry (fire-and-forget safe: never throws). */
  async store(key: string, envelope: CachedEnvelope, ttlMillis: number, encoded?: string): Promise<void> {
    const text = encoded ?? encodeEnvelope(envelope);
    await this.#run((c) => c.set(`${this.#prefix}v:${key}`, text, 'PX', Math.max(1, Math.round(ttlMillis))));
  }

  /** Bumps the generations of tables a write touched (every environment's L2 entries for them go stale). */
  async invalidate(tables: readonly string[]): Promise<void> {
    const keys = this.#genKeys(tables);
    // One INCR per table the statement touched (a handful): in order, within the same L2 budget.
    await this.#run(async (c) => {
      for (const key of keys) await c.incr(key);
    });
  }

  /** Closes the client if the optimizer created it. */
  async close(): Promise<void> {
    this.#closed = true;
    if (!this.#ownsClient) return;
    const connecting = this.#connecting;
    let client = this.#client;
    if (!client && connecting !== undefined) client = await connecting.catch(() => undefined);
    if (!client) return;
    try {
      await client.quit();
    } catch {
      (client as unknown as { disconnect?: () => void }).disconnect?.();
    }
  }
}
