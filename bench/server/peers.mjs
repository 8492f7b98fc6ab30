/**
 * The servers under comparison, each started as its own process on a loopback port: a minimal `ws`
 * broadcast loop, a socket.io room, and danmaku-layer-server (with its 25 ms batches, and with
 * `--flush-interval 0`), whose abuse limits are lifted for the benchmark.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServer } from './proc.mjs';

/** The servers `--servers` may name. */
export const PEERS = ['ws', 'socketio', 'ours', 'ours-flush0'];

/** How the report names each server. */
export const LABELS = {
  ws: 'ws broadcast loop',
  socketio: 'socket.io room',
  ours: 'danmaku-layer (25 ms batches)',
  'ours-flush0': 'danmaku-layer (--flush-interval 0)',
};

const peer = (file) => fileURLToPath(new URL(`./peers/${file}`, import.meta.url));

/**
 * The servers of one run: ours is `bin` (a danmaku-layer-server executable) with `oursFlags` added.
 * With `cpuProfileDir`, every server process writes a V8 CPU profile there when it exits, named
 * after the server, the room and the time it started.
 * @returns {{ start: Function, limitFlags: () => string[], help: () => string }}
 */
export function peers(bin, oursFlags, { cpuProfileDir } = {}) {
  let oursHelp;
  /** `danmaku-layer-server --help`, read once, to see which flags this build has. */
  function help() {
    oursHelp ??= execFileSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    return oursHelp;
  }

  /**
   * Flags that lift our abuse limits for the benchmark: one client sends far more than a person
   * would, and every connection comes from 127.0.0.1. Any flag of the build that names a rate, burst
   * or connection/room maximum is set to 1,000,000 (so the limit exists but is never reached);
   * --ours-flags adds or overrides.
   */
  function limitFlags() {
    const lifted = [];
    for (const match of help().matchAll(/^\s+(--[a-z0-9-]+)( <value>)?/gm)) {
      const [, flag, takesValue] = match;
      if (!/rate|burst|per-ip|max-conn|connections|max-rooms|flood/.test(flag)) continue;
      if (/window|interval|-ms\b|age|timeout|deadline/.test(flag)) continue;
      if (oursFlags.includes(flag)) continue;
      if (takesValue) lifted.push(flag, '1000000');
      else if (/^--no-|disable/.test(flag)) lifted.push(flag);
    }
    return lifted;
  }

  /**
   * Starts the server `name` for `room`; resolves with its process, pid and the URL clients use.
   * `extra` are more flags for ours; `nodeArgs` go to node before the script (a `--require`),
   * `env` to its environment; `heartbeat` (ms) turns on the `ws` loop's pings (ours pings by itself,
   * at `--heartbeat-interval`).
   */
  async function start(name, room, extra = [], { nodeArgs = [], env, heartbeat = 0 } = {}) {
    if (cpuProfileDir) {
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      nodeArgs = [
        ...nodeArgs,
        '--cpu-prof',
        `--cpu-prof-dir=${cpuProfileDir}`,
        `--cpu-prof-name=${name}-${room}-${stamp}.cpuprofile`,
      ];
    }
    switch (name) {
      case 'ws': {
        const args = [...nodeArgs, peer('ws-broadcast.mjs'), '0', String(heartbeat)];
        const { child, pid, port } = await startServer(args, { env });
        return { child, pid, kind: 'ws', url: `ws://127.0.0.1:${port}/?room=${room}` };
      }
      case 'socketio': {
        const { child, pid, port } = await startServer([...nodeArgs, peer('socketio-room.mjs'), '0'], { env });
        return { child, pid, kind: 'socketio', url: `http://127.0.0.1:${port}` };
      }
      case 'ours':
      case 'ours-flush0': {
        const args = [bin, '--host', '127.0.0.1', '--port', '0', ...limitFlags(), ...oursFlags, ...extra];
        if (name === 'ours-flush0') args.push('--flush-interval', '0');
        const { child, pid, port } = await startServer([...nodeArgs, ...args], { env });
        return { child, pid, kind: 'ws', url: `ws://127.0.0.1:${port}/ws?room=${room}`, args: args.slice(1) };
      }
    }
    throw new Error(`unknown server ${name}`);
  }

  return { start, limitFlags, help };
}
