/**
 * Messages framed once for many sockets. `ws.send()` measures, frames and copies a string for
 * every recipient; a room's message is the same for all its members, so it is framed once (with
 * ws's public `Sender.frame`) and the same bytes are written to each member's socket.
 *
 * Writing to the socket under a ws `WebSocket` is not part of ws's API: it relies on what ws does
 * today, and only this module does it.
 * - ws writes each frame to the socket as it is sent, in order, when no extension is negotiated
 *   (the server turns permessage-deflate off; with it, ws may queue frames, and bytes written
 *   beside it could overtake them);
 * - `bufferedAmount` counts what waits in the socket, so the slow-consumer cap sees these bytes.
 * prepared-frame.test.ts checks both against the installed ws, and that the bytes are those
 * `ws.send()` writes. If `Sender.frame` is missing or frames differently, every send goes through
 * `ws.send()`.
 */
import type { Duplex } from 'node:stream';
import * as wsModule from 'ws';
import type { WebSocket } from 'ws';

/** The frame header options of an unmasked, unfragmented text message (what a server sends). */
const TEXT = { fin: true, opcode: 0x1, mask: false, readOnly: false, rsv1: false } as const;

/** ws's `Sender.frame`, as ws documents it in its source (its type definitions leave it out). */
type Frame = (data: Buffer, options: typeof TEXT) => Buffer[];
const frame = (wsModule as unknown as { Sender?: { frame?: Frame } }).Sender?.frame;

/** One text message as a whole WebSocket frame: header and payload in one buffer. */
function frameText(text: string): Buffer {
  const parts = frame!(Buffer.from(text, 'utf8'), TEXT);
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

/** Whether ws frames a text message as RFC 6455 says (checked once, on load). */
function framingWorks(): boolean {
  if (typeof frame !== 'function') return false;
  try {
    const short = Buffer.concat([Buffer.from([0x81, 2]), Buffer.from('ok')]);
    const medium = Buffer.concat([Buffer.from([0x81, 126, 0, 200]), Buffer.alloc(200, 'x')]);
    return frameText('ok').equals(short) && frameText('x'.repeat(200)).equals(medium);
  } catch {
    return false;
  }
}

/** Whether prepared frames are written to sockets directly (`false`: through `ws.send()`). */
export const DIRECT_WRITES = framingWorks();

/** An unmasked ping with no payload, as a server sends it (RFC 6455 §5.5.2). */
const PING = Buffer.from([0x89, 0x00]);

/**
 * A text message to be sent to many WebSockets: framed once, on the first direct write, and the
 * same bytes written for every recipient after that.
 */
export class PreparedFrame {
  /** The message. */
  readonly text: string;
  /** A ping goes out just before the message (the heartbeat: browsers answer pings but cannot see them). */
  readonly ping: boolean;
  #bytes?: Buffer;

  constructor(text: string, options?: { ping?: boolean }) {
    this.text = text;
    this.ping = options?.ping ?? false;
  }

  /** The whole frame as it goes on the wire (the ping frame first, when there is one): one write. */
  get bytes(): Buffer {
    return (this.#bytes ??= this.ping ? Buffer.concat([PING, frameText(this.text)]) : frameText(this.text));
  }
}

/**
 * Sends `frame` on `ws`, whose socket is `socket` (the socket of its upgrade request). The caller
 * checks that `ws` is open. The WebSocket must have no extension negotiated.
 */
export function sendPrepared(ws: WebSocket, socket: Duplex, frame: PreparedFrame): void {
  if (DIRECT_WRITES) {
    socket.write(frame.bytes);
    return;
  }
  if (frame.ping) ws.ping();
  ws.send(frame.text);
}
