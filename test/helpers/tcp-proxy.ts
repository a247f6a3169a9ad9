import { createServer, connect, type Socket } from 'node:net';

export type TcpProxy = {
  /** The target's URL with host and port replaced by the proxy's. */
  url: string;
  /** Connections opened through the proxy so far. */
  readonly connections: number;
  /**
   * The open connections stop carrying bytes either way and stay open, as when a NAT or a
   * firewall on the way forgets them: neither end hears of it. New connections work.
   */
  silenceOpenConnections(): void;
  close(): Promise<void>;
};

/** A TCP proxy on 127.0.0.1, port 0, in front of the host and port of a postgres:// URL. */
export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const pairs: { client: Socket; upstream: Socket; silent: boolean }[] = [];
  let connections = 0;
  const server = createServer((client) => {
    connections += 1;
    const upstream = connect(Number(target.port || 5432), target.hostname);
    const pair = { client, upstream, silent: false };
    pairs.push(pair);
    client.on('data', (chunk) => void (pair.silent || upstream.write(chunk)));
    upstream.on('data', (chunk) => void (pair.silent || client.write(chunk)));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    get connections() {
      return connections;
    },
    silenceOpenConnections() {
      for (const pair of pairs) pair.silent = true;
    },
    async close() {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
