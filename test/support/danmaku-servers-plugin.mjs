// A @web/test-runner plugin that gives browser tests real danmaku servers on 127.0.0.1, port 0.
// Tests reach it through `executeServerCommand` (from @web/test-runner-commands):
//   'danmaku-server'         { name?, maxTextLength? } → { url }  starts (or returns) a named reference server
//   'danmaku-server-stop'    { name }                  → { ok }   closes it (clients see it go away)
//   'danmaku-server-restart' { name }                  → { url }  starts it again on the same port
//   'danmaku-peer'                                     → { url }  the scripted peer below
// The reference server does not rate-limit or moderate; the scripted peer is a real WebSocket
// server speaking the same protocol that answers every send with the error its text names
// (`rate_limited`, `rejected`, …), so the composer's handling of those replies is tested over a socket.
import { createRequire } from 'node:module';
import { createDanmakuServer } from '../../packages/server/lib/index.js';
import { PROTOCOL } from '../../packages/widget/lib/protocol.js';

// The server's own `ws` (8.x); the one at the top of node_modules is an older copy the test runner uses.
const { WebSocketServer } = createRequire(new URL('../../packages/server/package.json', import.meta.url))('ws');

/** @returns {import('@web/test-runner').TestRunnerPlugin} */
export function danmakuServersPlugin() {
  /** @type {Map<string, { server: any, port: number, options: object }>} */
  const servers = new Map();
  /** @type {import('ws').WebSocketServer | undefined} */
  let peer;

  async function start(name, options, port = 0) {
    const server = await createDanmakuServer({ flushInterval: 5, ...options });
    const address = await server.listen(port, '127.0.0.1');
    servers.set(name, { server, port: address.port, options });
    return { url: `ws://127.0.0.1:${address.port}/ws` };
  }

  async function startPeer() {
    peer = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => PROTOCOL });
    await new Promise((resolve) => peer.once('listening', resolve));
    peer.on('connection', (ws) => {
      const limits = { maxTextLength: 100, maxPayload: 4096 };
      ws.send(JSON.stringify({ type: 'welcome', room: 'peer', epoch: 'peer', seq: 0, limits, canSend: true, heartbeat: 0 }));
      let seq = 0;
      ws.on('message', (data) => {
        const message = JSON.parse(String(data));
        if (message.type !== 'send') return;
        const [code, retryAfter] = String(message.text).split(':');
        if (code === 'ok') {
          ws.send(JSON.stringify({ type: 'ack', id: message.id, seq: ++seq }));
          return;
        }
        const reply = { type: 'error', id: message.id, code, message: `scripted ${code}` };
        if (retryAfter) reply.retryAfter = Number(retryAfter);
        ws.send(JSON.stringify(reply));
      });
    });
    return { url: `ws://127.0.0.1:${peer.address().port}/ws` };
  }

  return {
    name: 'danmaku-servers',
    async executeCommand({ command, payload = {} }) {
      switch (command) {
        case 'danmaku-server': {
          const name = payload.name ?? 'default';
          const running = servers.get(name);
          if (running) return { url: `ws://127.0.0.1:${running.port}/ws` };
          const { name: _name, ...options } = payload;
          return start(name, options);
        }
        case 'danmaku-server-stop': {
          const running = servers.get(payload.name ?? 'default');
          await running?.server.close();
          return { ok: true };
        }
        case 'danmaku-server-restart': {
          const name = payload.name ?? 'default';
          const running = servers.get(name);
          if (!running) throw new Error(`No danmaku server named ${name}`);
          await running.server.close();
          return start(name, running.options, running.port);
        }
        case 'danmaku-peer':
          return peer ? { url: `ws://127.0.0.1:${peer.address().port}/ws` } : startPeer();
        default:
          return undefined;
      }
    },
    async serverStop() {
      for (const { server } of servers.values()) await server.close();
      await new Promise((resolve) => (peer ? peer.close(resolve) : resolve()));
    },
  };
}
