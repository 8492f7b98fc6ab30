/**
 * What a connection keeps of its peer's address. Node reads the address from the operating system
 * the first time `remoteAddress` is asked for and keeps it on the socket as an object of its own
 * (`{ address, family, port }`: 56 bytes per connection). A session holds the one string it needs,
 * so that copy is let go; `remoteAddress` still answers, read again from the operating system
 * while the socket is open.
 */
import type { Duplex } from 'node:stream';

/** Drops Node's cached copy of the peer address of `socket` (see the module's comment). */
export function releasePeerAddress(socket: Duplex): void {
  const cached = socket as Duplex & { _peername?: unknown };
  // Undefined, not deleted: deleting a property would turn the socket into a slow dictionary object.
  if (cached._peername !== undefined) cached._peername = undefined;
}
