/**
 * The demo's sample dataset: customers, products and orders with a realistic skew (a few customers
 * and products account for most orders; most orders are 'delivered'). Deterministic (`setseed`),
 * built inside the database with `generate_series`, and skipped when already loaded at this size.
 */
import type { ClientBase } from 'pg';

/** Sizes of the sample dataset. */
export interface DatasetSize {
  /** @default 200000 */
  orders: number;
  /** @default 20000 */
  customers: number;
  /** @default 2000 */
  products: number;
}

/** What {@link loadSampleDataset} did. */
export interface DatasetLoadResult {
  tables: Record<string, number>;
  loaded: boolean;
  millis: number;
}

export const DEFAULT_DATASET_SIZE: DatasetSize = { orders: 200_000, customers: 20_000, products: 2_000 };

/**
 * Creates and fills the sample tables (no indexes but primary keys, on purpose: the index advisor
 * has work to do). Idempotent: an existing dataset of the same size is kept.
 *
 * @example
 * ```ts
 * const client = await pool.connect();
 * try { await loadSampleDataset(client, { orders: 10_000, customers: 1_000, products: 100 }); }
 * finally { client.release(); }
 * ```
 */
export async function loadSampleDataset(
  client: ClientBase,
  size: DatasetSize = DEFAULT_DATASET_SIZE,
): Promise<DatasetLoadResult> {
  const start = Date.now();
  for (const [name, value] of Object.entries(size)) {
    if (!Number.isInteger(value) || value < 1 || value > 50_000_000) {
      throw new RangeError(`dataset size ${name} must be an integer from 1 to 50000000; received ${value}`);
    }
  }
  const marker = `${size.orders}/${size.customers}/${size.products}`;
  await client.query('CREATE TABLE IF NOT EXISTS perfkit_meta (key text PRIMARY KEY, value text NOT NULL)');
  const existing = await client.query<{ value: string }>(
    "SELECT value FROM perfkit_meta WHERE key = 'dataset'",
  );
  if (existing.rows[0]?.value !== marker) {
    await client.query('BEGIN');
    try {
      await client.query('DROP TABLE IF EXISTS orders, products, customers CASCADE');
      await client.query('SELECT setseed(0.42)');
      await client.query(`CREATE TABLE customers (
        id integer PRIMARY KEY, email text NOT NULL, country text NOT NULL, tier text NOT NULL, created_at timestamptz NOT NULL)`);
      await client.query(
        `INSERT INTO customers SELECT g, 'customer' || g || '@example.com',
           (ARRAY['US','US','US','DE','GB','FR','BR','IN','JP','NL'])[1 + floor(random() * 10)::int],
           CASE WHEN random() < 0.05 THEN 'gold' WHEN random() < 0.25 THEN 'silver' ELSE 'standard' END,
           now() - (random() * interval '1000 days')
         FROM generate_series(1, $1::int) g`,
        [size.customers],
      );
      await client.query(`CREATE TABLE products (
        id integer PRIMARY KEY, sku text NOT NULL, category text NOT NULL, price numeric(10,2) NOT NULL)`);
      await client.query(
        `INSERT INTO products SELECT g, 'SKU-' || lpad(g::text, 6, '0'),
           (ARRAY['books','games','garden','kitchen','music','sports','toys','tools'])[1 + floor(random() * 8)::int],
           round((5 + random() * 195)::numeric, 2)
         FROM generate_series(1, $1::int) g`,
        [size.products],
      );
      // Skew: customer and product ids drawn from a power law (pow(random(), 3)) so a few are hot.
      await client.query(`CREATE TABLE orders (
        id integer PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers(id), product_id integer NOT NULL REFERENCES products(id),
        status text NOT NULL, quantity integer NOT NULL, total numeric(12,2) NOT NULL, created_at timestamptz NOT NULL)`);
      await client.query(
        `INSERT INTO orders SELECT g,
           1 + floor(pow(random(), 3) * $2::int)::int,
           1 + floor(pow(random(), 2) * $3::int)::int,
           CASE WHEN r < 0.85 THEN 'delivered' WHEN r < 0.93 THEN 'shipped' WHEN r < 0.98 THEN 'pending' ELSE 'cancelled' END,
           1 + floor(random() * 5)::int,
           round((5 + random() * 500)::numeric, 2),
           now() - (random() * interval '365 days')
         FROM (SELECT g, random() AS r FROM generate_series(1, $1::int) g) s`,
        [size.orders, size.customers, size.products],
      );
      await client.query('ANALYZE customers, products, orders');
      await client.query(
        "INSERT INTO perfkit_meta (key, value) VALUES ('dataset', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        [marker],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  }
  const counts = await client.query<{ t: string; n: string }>(
    `SELECT 'customers' AS t, count(*)::text AS n FROM customers UNION ALL
     SELECT 'products', count(*)::text FROM products UNION ALL SELECT 'orders', count(*)::text FROM orders`,
  );
  return {
    tables: Object.fromEntries(counts.rows.map((row) => [row.t, Number(row.n)])),
    loaded: existing.rows[0]?.value !== marker,
    millis: Date.now() - start,
  };
}
