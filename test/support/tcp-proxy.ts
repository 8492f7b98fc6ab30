/**
 * A loopback TCP proxy whose link can be cut (connections reset) or stalled (bytes silently
 * dropped): the way to break one client's connection without touching the server, as a train
 * entering a tunnel would.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export class TcpProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #cut = false;
  #stalled = false;
  port = 0;

  constructor(readonly targetPort: number) {
    this.#server = createServer((client) => {
      if (this.#cut) {
        client.destroy();
        return;
      }
      const upstream = connect(targetPort, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('close', () => this.#sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      // Forward by hand rather than pipe(): while stalled, bytes are dropped, as on a dead link.
      client.on('data', (data) => this.#stalled || upstream.write(data));
      upstream.on('data', (data) => this.#stalled || client.write(data));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as { port: number }).port;
    return this.port;
  }

  /** Drops every open connection and refuses new ones for `ms` milliseconds. */
  cutFor(ms: number): Promise<void> {
    this.#cut = true;
    for (const socket of this.#sockets) socket.destroy();
    return new Promise((resolve) =>
      setTimeout(() => {
        this.#cut = false;
        resolve();
      }, ms),
    );
  }

  /** Silently drops every byte in both directions, without closing anything, until {@link resume}. */
  stall(): void {
    this.#stalled = true;
  }

  resume(): void {
    this.#stalled = false;
  }

  close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
