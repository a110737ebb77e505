/**
 * A TCP proxy on 127.0.0.1 in front of PostgreSQL that can freeze the connections it carries:
 * bytes are then swallowed in both directions while both sockets stay open — what a NAT gateway
 * or a frozen Lambda environment does to an idle connection. New connections still pass.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

/** A running proxy. */
export interface TcpProxy {
  readonly port: number;
  /** A postgres:// URL through the proxy (same user and database as the target URL). */
  readonly url: string;
  /** Freezes every connection open now (new ones are not frozen). Returns how many. */
  freezeExisting(): number;
  /** Connections the proxy carries (client side still open). */
  openConnections(): number;
  /** Client-side sockets that were closed by the client (pool) since the start. */
  closedByClient(): number;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  server: Socket;
  frozen: boolean;
}

/**
 * Starts a proxy to the PostgreSQL of `databaseUrl`.
 *
 * @example
 * ```ts
 * const proxy = await startTcpProxy(databaseUrl());
 * const pool = createEnhancedPool({ connectionString: proxy.url });
 * ```
 */
export async function startTcpProxy(databaseUrl: string): Promise<TcpProxy> {
  const target = new URL(databaseUrl);
  const targetPort = Number(target.port || 5432);
  const targetHost = target.hostname || '127.0.0.1';
  const pairs = new Set<Pair>();
  let closedByClient = 0;

  const server: Server = createServer((client) => {
    const upstream = tcpConnect(targetPort, targetHost);
    const pair: Pair = { client, server: upstream, frozen: false };
    pairs.add(pair);
    client.on('data', (chunk) => {
      if (!pair.frozen) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!pair.frozen) client.write(chunk);
    });
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', () => {
      closedByClient++;
      drop();
    });
    upstream.on('close', () => {
      // A frozen pair does not pass the server's close on either.
      if (!pair.frozen) drop();
    });
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);

  return {
    port,
    url: url.toString(),
    freezeExisting: () => {
      for (const pair of pairs) pair.frozen = true;
      return pairs.size;
    },
    openConnections: () => pairs.size,
    closedByClient: () => closedByClient,
    close: async () => {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.server.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
