import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Tests that need Redis run when one answers here, and are skipped otherwise. */
export async function redisReachable(): Promise<boolean> {
  const { hostname, port } = new URL(REDIS_URL);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    socket.setTimeout(500);
    const settle = (reachable: boolean) => {
      socket.destroy();
      resolve(reachable);
    };
    socket.once('connect', () => settle(true));
    socket.once('error', () => settle(false));
    socket.once('timeout', () => settle(false));
  });
}

export interface StallingRedis {
  /** Where to reach Redis through this way. */
  url: string;
  /** Answers stop coming back, as from a Redis that hangs; requests still go through. */
  stall(): void;
  close(): Promise<void>;
}

/** A way to the Redis at REDIS_URL that can be made to stop answering. */
export async function stallingRedis(): Promise<StallingRedis> {
  const { hostname, port } = new URL(REDIS_URL);
  let stalled = false;
  const sockets = new Set<Socket>();
  const proxy = createServer((client) => {
    const upstream = createConnection({ host: hostname, port: Number(port || 6379) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.once('close', () => sockets.delete(socket));
    }
    client.pipe(upstream);
    upstream.on('data', (answer) => {
      if (!stalled) client.write(answer);
    });
    client.once('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port: proxyPort } = proxy.address() as AddressInfo;
  return {
    url: `redis://127.0.0.1:${proxyPort}`,
    stall: () => {
      stalled = true;
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => proxy.close(() => resolve()));
    },
  };
}
