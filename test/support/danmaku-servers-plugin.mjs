// A @web/test-runner plugin that gives browser tests real danmaku servers on 127.0.0.1, port 0.
// Tests reach it through `executeServerCommand` (from @web/test-runner-commands):
//   'danmaku-server'         { name?, ...options } → { url }  starts (or returns) a named reference server
//   'danmaku-server-stop'    { name }              → { ok }   closes it (clients see it go away)
//   'danmaku-server-restart' { name }              → { url }  starts it again on the same port
//   'protocol-fixture'          { name, welcome? } → { url }     a scripted protocol server (protocol-fixture.mjs)
//   'protocol-fixture-send'     { name, frame }    → { clients } sends `frame` to its clients
//   'protocol-fixture-received' { name }           → { frames }  what its clients sent, parsed
// `options` are the server's own (`maxTextLength`, `rateLimit`, `rateBurst`, `blocklist`, …), so a
// test gets a server that rate-limits or rejects comments the way a deployed one does. They travel
// as JSON: strings and numbers only (no RegExp, no moderation hook). A name that is already running
// returns that server, whatever the options: give each configuration a name of its own.
import { createDanmakuServer } from '../../packages/server/lib/index.js';
import { startProtocolFixture } from './protocol-fixture.mjs';

/** @returns {import('@web/test-runner').TestRunnerPlugin} */
export function danmakuServersPlugin() {
  /** @type {Map<string, { server: any, port: number, options: object }>} */
  const servers = new Map();
  /** @type {Map<string, Awaited<ReturnType<typeof startProtocolFixture>>>} */
  const fixtures = new Map();

  async function start(name, options, port = 0) {
    const server = await createDanmakuServer({ flushInterval: 5, ...options });
    const address = await server.listen(port, '127.0.0.1');
    servers.set(name, { server, port: address.port, options });
    return { url: `ws://127.0.0.1:${address.port}/ws` };
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
        case 'protocol-fixture': {
          const name = payload.name ?? 'fixture';
          await fixtures.get(name)?.close();
          const fixture = await startProtocolFixture(payload.welcome);
          fixtures.set(name, fixture);
          return { url: fixture.url };
        }
        case 'protocol-fixture-send': {
          const fixture = fixtures.get(payload.name ?? 'fixture');
          if (!fixture) throw new Error(`No protocol fixture named ${payload.name}`);
          return { clients: fixture.send(payload.frame) };
        }
        case 'protocol-fixture-received':
          return { frames: fixtures.get(payload.name ?? 'fixture')?.received ?? [] };
        default:
          return undefined;
      }
    },
    async serverStop() {
      for (const { server } of servers.values()) await server.close();
      for (const fixture of fixtures.values()) await fixture.close();
    },
  };
}
