import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { ExecutionResult } from 'graphql';
import { WebSocket } from 'ws';

/**
 * Serialising an event once for all of its subscribers. graphql-ws writes every `next`
 * message with JSON.stringify({ id, type, payload }); for a result shared by a thousand
 * subscribers that would serialise the same payload a thousand times. A SharedResult
 * serialises to a placeholder instead (cheap), and the socket class below puts the bytes
 * serialised once in its place as the message is sent. The placeholder carries a random
 * nonce and can only stand as the whole payload, which graphql-ws requires to be an object
 * for anything else, so no other message can be mistaken for one.
 */
const PLACEHOLDER = `shared-frame:${randomBytes(12).toString('hex')}`;
const PAYLOAD_KEY = '"payload":';
const PLACEHOLDER_TAIL = `${PAYLOAD_KEY}${JSON.stringify(PLACEHOLDER)}}`;
const CLOSING_BRACE = Buffer.from('}');

/**
 * The bytes of the SharedResult serialised last. JSON.stringify of a message and the
 * socket's send() follow each other without a turn of the event loop in between (graphql-ws
 * builds the message as the argument of its send), so one slot is enough.
 */
let serialising: Buffer | undefined;

export class SharedResult {
  private constructor(readonly bytes: Buffer) {}

  static of(result: ExecutionResult): SharedResult {
    return new SharedResult(Buffer.from(JSON.stringify(result)));
  }

  toJSON(): string {
    serialising = this.bytes;
    return PLACEHOLDER;
  }
}

type SendOptions = Parameters<WebSocket['send']>[1];
type SendCallback = (err?: Error) => void;

/**
 * How many bytes a socket may have waiting to be written before a send is acknowledged only
 * once written. Below it a send is acknowledged at once (see SharedFrameSocket.send).
 */
const EARLY_ACK_BYTES = 64 * 1024;

/**
 * The server's socket class: sends a message whose payload is a SharedResult with its shared
 * bytes, and writes the frames sent in one turn of the event loop to the connection together.
 */
export class SharedFrameSocket extends WebSocket {
  private connection: Duplex | undefined;
  private corked = false;

  /**
   * The TCP connection under this socket (the upgrade request's). Each frame would otherwise
   * be a write to the kernel of its own, and on a busy machine each such write costs more than
   * the frame: the frames a subscriber gets within one turn of the event loop (a batch of
   * events read from the log) are held back (corked) until the turn's promise callbacks have
   * run, and go out in one write.
   */
  coalesceWritesOn(connection: Duplex): void {
    this.connection = connection;
  }

  private cork(): void {
    const connection = this.connection;
    if (!connection || this.corked) return;
    this.corked = true;
    connection.cork();
    process.nextTick(() => {
      this.corked = false;
      connection.uncork();
    });
  }

  /**
   * graphql-ws sends a subscription's next message only when the last one's callback came, which
   * ws calls once the frame is written: one write per frame whatever the corking. While little
   * waits to be written the callback comes at once, so a batch of events goes out as one write;
   * past EARLY_ACK_BYTES it comes when the frame is written, which holds a slow reader's
   * subscription back until its queue overflows (WS_SUBSCRIBER_BUFFER) as before. A failed
   * write closes the socket, which ends its subscriptions.
   */
  override send(data: unknown, options?: SendOptions | SendCallback, cb?: SendCallback): void {
    const opts = typeof options === 'function' ? {} : (options ?? {});
    const done = typeof options === 'function' ? options : cb;
    let frame = data as Buffer;
    let sendOptions = opts;
    if (typeof data === 'string' && serialising && data.endsWith(PLACEHOLDER_TAIL)) {
      const head = Buffer.from(data.slice(0, data.length - PLACEHOLDER_TAIL.length + PAYLOAD_KEY.length));
      frame = Buffer.concat([head, serialising, CLOSING_BRACE]);
      serialising = undefined;
      sendOptions = { ...opts, binary: false };
    }
    this.cork();
    if (!done || this.bufferedAmount >= EARLY_ACK_BYTES) return super.send(frame, sendOptions, done);
    super.send(frame, sendOptions);
    queueMicrotask(() => done());
  }
}
