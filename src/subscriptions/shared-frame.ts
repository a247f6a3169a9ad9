import { randomBytes } from 'node:crypto';
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

/** The server's socket class: sends a message whose payload is a SharedResult with its shared bytes. */
export class SharedFrameSocket extends WebSocket {
  override send(data: unknown, options?: SendOptions | SendCallback, cb?: SendCallback): void {
    if (typeof data === 'string' && serialising && data.endsWith(PLACEHOLDER_TAIL)) {
      const head = Buffer.from(data.slice(0, data.length - PLACEHOLDER_TAIL.length + PAYLOAD_KEY.length));
      const frame = Buffer.concat([head, serialising, CLOSING_BRACE]);
      serialising = undefined;
      if (typeof options === 'function') return super.send(frame, { binary: false }, options);
      return super.send(frame, { ...options, binary: false }, cb);
    }
    super.send(data as Buffer, options as SendOptions, cb);
  }
}
