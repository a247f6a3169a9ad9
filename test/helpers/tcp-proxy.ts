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
  /**
   * A partition: from now on no byte gets through either way, on open connections and on new
   * ones (which are accepted, as a SYN would be retransmitted rather than refused), and no
   * connection is reset. Bytes and closes wait, as TCP would retransmit them, until heal().
   */
  partition(): void;
  /** Ends the partition: what waited is delivered, in order, and bytes flow again. */
  heal(): void;
  /**
   * New connections are answered as a server that refuses them answers: an ErrorResponse of
   * severity FATAL with this SQLSTATE and message, then the end of the connection (57P03 the
   * server is starting up, 53300 too many connections). Open connections are left alone.
   * undefined: new connections reach the target again.
   */
  refuseNewConnections(refusal: { code: string; message: string } | undefined): void;
  /** Ends every open connection at once, as a server that restarts does. */
  resetOpenConnections(): void;
  close(): Promise<void>;
};

/** One direction of a connection: while partitioned, what it carries waits here. */
type Direction = { from: Socket; to: Socket; held: Buffer[]; ended: boolean };

/** A PostgreSQL ErrorResponse ('E'): severity, SQLSTATE and message fields, as a server sends one at startup. */
function errorResponse(code: string, message: string): Buffer {
  const fields = Buffer.concat(
    [
      ['S', 'FATAL'],
      ['V', 'FATAL'],
      ['C', code],
      ['M', message],
    ].map(([type, value]) => Buffer.concat([Buffer.from(type!), Buffer.from(`${value}\0`)])),
  );
  const body = Buffer.concat([fields, Buffer.from([0])]);
  const header = Buffer.alloc(5);
  header.write('E', 0);
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

/** A TCP proxy on 127.0.0.1, port 0, in front of the host and port of a postgres:// URL. */
export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const pairs: { client: Socket; upstream: Socket; silent: boolean; directions: Direction[] }[] = [];
  let connections = 0;
  let partitioned = false;
  let refusal: { code: string; message: string } | undefined;

  const flush = (d: Direction) => {
    for (const chunk of d.held.splice(0)) d.to.write(chunk);
    if (d.ended) d.to.end();
  };

  const server = createServer((client) => {
    connections += 1;
    if (refusal) {
      const { code, message } = refusal;
      // The server reads the startup packet before it answers with its refusal.
      client.once('data', () => client.end(errorResponse(code, message)));
      client.on('error', () => client.destroy());
      return;
    }
    const upstream = connect(Number(target.port || 5432), target.hostname);
    const pair = { client, upstream, silent: false, directions: [] as Direction[] };
    pairs.push(pair);
    // Half-closes travel as bytes do: an end that comes during a partition is delivered after the bytes before it.
    const carry = (from: Socket, to: Socket) => {
      const d: Direction = { from, to, held: [], ended: false };
      pair.directions.push(d);
      from.on('data', (chunk: Buffer) => {
        if (pair.silent) return;
        if (partitioned || d.held.length > 0) d.held.push(chunk);
        else to.write(chunk);
      });
      from.on('end', () => {
        d.ended = true;
        if (!partitioned) flush(d);
      });
    };
    carry(client, upstream);
    carry(upstream, client);
    const destroy = (socket: Socket) => () => {
      // A reset during a partition reaches the other end only when it heals.
      if (partitioned) return;
      (socket === client ? upstream : client).destroy();
    };
    client.on('error', destroy(client)).on('close', destroy(client));
    upstream.on('error', destroy(upstream)).on('close', destroy(upstream));
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
    partition() {
      partitioned = true;
    },
    heal() {
      partitioned = false;
      for (const pair of pairs) {
        for (const d of pair.directions) {
          if (d.to.destroyed) continue;
          flush(d);
          // One end closed while the bytes waited: the other hears it now.
          if (d.from.destroyed) d.to.destroy();
        }
      }
    },
    refuseNewConnections(next) {
      refusal = next;
    },
    resetOpenConnections() {
      for (const { client, upstream } of pairs.splice(0)) {
        client.resetAndDestroy();
        upstream.destroy();
      }
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
