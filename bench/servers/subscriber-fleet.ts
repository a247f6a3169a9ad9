import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

/**
 * The subscribers of bench/subscriptions.ts, in a process of their own so that receiving
 * (and the clock reading on arrival) competes neither with the server nor with the
 * producer. Speaks graphql-transport-ws by hand: one socket per subscriber, one
 * subscription each, and only the event id is read from each message.
 *
 * Commands arrive over IPC: connect, then collect (with the time each event was committed,
 * on the same clock: performance.timeOrigin + performance.now()), then close.
 */
type Command =
  | { cmd: 'connect'; url: string; token: string; count: number; query: string }
  | { cmd: 'collect'; committed: [string, number][]; timeoutMs: number }
  | { cmd: 'close' };

const EVENT_ID = /"events":\{"id":"([^"]+)"/;
const now = () => performance.timeOrigin + performance.now();

let sockets: WebSocket[] = [];
let arrivals = new Map<string, number[]>();
/** While collecting: how many arrivals of the awaited events are still to come. */
let awaited: Map<string, number> | undefined;
let outstanding = 0;
let onOutstanding: () => void = () => undefined;

function send(message: unknown): void {
  process.send!(message);
}

async function connectOne(url: string, token: string, query: string): Promise<WebSocket> {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const acked = new Promise<void>((resolve, reject) => {
    socket.once('message', (data) => (JSON.parse(String(data)).type === 'connection_ack' ? resolve() : reject(new Error(String(data)))));
    socket.once('close', (code) => reject(new Error(`closed with ${code} before the ack`)));
  });
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  await acked;
  socket.on('message', (data) => {
    const at = now();
    const match = EVENT_ID.exec(String(data).slice(0, 200));
    if (!match) return;
    let times = arrivals.get(match[1]!);
    if (!times) arrivals.set(match[1]!, (times = []));
    times.push(at);
    if (awaited?.has(match[1]!)) {
      outstanding--;
      onOutstanding();
    }
  });
  socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
  return socket;
}

async function connect(c: Extract<Command, { cmd: 'connect' }>): Promise<void> {
  // In batches: a thousand simultaneous handshakes would overflow the listen backlog.
  for (let i = 0; i < c.count; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, c.count - i) }, () => connectOne(c.url, c.token, c.query)));
    sockets.push(...batch);
  }
}

async function collect(c: Extract<Command, { cmd: 'collect' }>): Promise<void> {
  awaited = new Map(c.committed);
  outstanding = c.committed.reduce((sum, [id]) => sum + sockets.length - (arrivals.get(id)?.length ?? 0), 0);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, c.timeoutMs);
    onOutstanding = () => {
      if (outstanding <= 0) {
        clearTimeout(timer);
        resolve();
      }
    };
    onOutstanding();
  });
  onOutstanding = () => undefined;
  awaited = undefined;
  const latencies: number[] = [];
  let missing = 0;
  let missingEvents = 0;
  for (const [id, committedAt] of c.committed) {
    const times = arrivals.get(id) ?? [];
    missing += sockets.length - times.length;
    if (times.length < sockets.length) missingEvents++;
    if (committedAt > 0) for (const at of times) latencies.push(Math.max(0, at - committedAt));
  }
  send({ latencies, missing, missingEvents });
  arrivals = new Map();
}

process.on('message', (message: Command) => {
  const run = async () => {
    if (message.cmd === 'connect') {
      await connect(message);
      send({ connected: sockets.length });
    } else if (message.cmd === 'collect') {
      await collect(message);
    } else {
      await Promise.all(
        sockets.map((s) => (s.readyState === WebSocket.CLOSED ? undefined : new Promise<void>((resolve) => (s.once('close', () => resolve()), s.close(1000))))),
      );
      sockets = [];
      send({ closed: true });
    }
  };
  run().catch((err: unknown) => send({ error: (err as Error).stack ?? String(err) }));
});
