/**
 * Keeps the state object of every socket's writable side in one piece, at no cost per socket.
 *
 * V8 settles how large the objects of one constructor are after seeing the first few of them
 * (in-object slack tracking); a property added to such an object later, beyond the settled size,
 * goes to a separate property store. Node 20 gives a stream's `WritableState` one of its
 * properties only on the stream's first write. A server that accepts a burst of connections before
 * anything has written through a stream (this one logs through file descriptors, not streams) has
 * V8 settle the size without that property, and every connection then carries two such stores (its
 * socket's state and its WebSocket's receiving side): 80 bytes, shown by `bench/server/heap-diff.mjs`
 * as `PropertyArray`s owned by `WritableState`. One write through a stream of our own, before the
 * first connection, shows V8 the complete state in time. The stream is kept for the life of the
 * process: V8 forgets a layout no live object has. It changes memory layout only, and nothing at
 * all once the size is settled (a second server in the process, an application that wrote
 * through streams before).
 */
import { Writable } from 'node:stream';

/** The stream written once (see above). */
let written: Writable | undefined;

/** Writes once through a stream of our own, once per process (see the module's comment). */
export function showWritableLayout(): void {
  if (written) return;
  written = new Writable({ write: (_chunk, _encoding, done) => done() });
  written.write('x');
}
