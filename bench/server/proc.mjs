/**
 * Child processes of the benchmark: spawning with a raised file-descriptor limit, reading a
 * process's CPU time and memory from /proc, and making sure every child dies with the benchmark.
 */
import { spawn, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`, 100 on Linux). */
export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Every child still alive; killed on exit, whatever the reason. */
const children = new Set();

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Kills every child still running (SIGKILL: nothing of a benchmark child is worth waiting for). */
export function killAll() {
  for (const child of children) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  children.clear();
}

let guarded = false;
/** Installs the exit guards once: children are killed on normal exit, signals and crashes. */
export function guardChildren() {
  if (guarded) return;
  guarded = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      killAll();
      process.exit(130);
    });
  }
  process.on('uncaughtException', (error) => {
    console.error(error);
    killAll();
    process.exit(1);
  });
  process.on('unhandledRejection', (error) => {
    console.error(error);
    killAll();
    process.exit(1);
  });
}

/** The hard limit on open files; the soft limit of children is raised to it. */
export function hardFileLimit() {
  try {
    const out = execFileSync('/bin/sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
    return out === 'unlimited' ? Infinity : Number(out);
  } catch {
    return 1024;
  }
}

// `exec` keeps the pid: the pid we hold is node's own, so /proc/<pid> describes the server.
// BENCH_FILE_LIMIT (set only above the hard limit) raises the hard limit too where that is allowed
// (root with CAP_SYS_RESOURCE, up to fs.nr_open); elsewhere the soft limit is raised to the hard one.
const RAISE_LIMIT =
  '{ [ -n "$BENCH_FILE_LIMIT" ] && ulimit -n "$BENCH_FILE_LIMIT"; } 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"';

/**
 * What a server prints once it listens: a text line ("listening on http://127.0.0.1:PORT") or a
 * JSON log line with `"port":PORT` and `"msg":"listening"` (pino), on stdout or stderr.
 */
export const LISTENING = /listening on \S+?:(\d+)|"port":(\d+)[^\n]*"msg":"listening"/;

/**
 * Starts a server process (`node <args>`) with the open-files limit raised to the hard limit, and
 * resolves once its output matches `ready` (the first group that matched is returned as the port).
 */
export async function startServer(args, { ready = LISTENING, timeout = 15_000, env } = {}) {
  const child = track(
    spawn('/bin/sh', ['-c', RAISE_LIMIT, 'sh', process.execPath, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    }),
  );
  const match = await whenReady(child, ready, timeout, `server (${args.join(' ')})`);
  return { child, pid: child.pid, port: Number(match.slice(1).find((group) => group !== undefined)) };
}

/** Starts a non-node program (redis-server) the same way, resolved when `ready` matches its output. */
export async function startProgram(file, args, { ready, timeout = 15_000 } = {}) {
  const child = track(spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  await whenReady(child, ready, timeout, file);
  return { child, pid: child.pid };
}

/**
 * Resolves with the match once `child`'s stdout or stderr matches `ready`; kills it and rejects
 * (with what it printed) when it exits first or `timeout` ms pass.
 */
function whenReady(child, ready, timeout, label) {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`${label} did not start within ${timeout} ms\n${output}`)), timeout);
    function fail(error) {
      clearTimeout(timer);
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {}
      reject(error);
    }
    const onData = (chunk) => {
      output += chunk;
      const match = ready.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stderr.off('data', onData);
      // Keep draining: a process blocked on a full pipe would measure the pipe, not itself.
      child.stdout.resume();
      child.stderr.resume();
      resolve(match);
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.once('exit', (code, signal) =>
      fail(new Error(`${label} exited (${code ?? signal}) before it was ready\n${output}`)),
    );
  });
}

/** Forks a node module with an IPC channel and the raised open-files limit. */
export function forkWorker(modulePath, args = [], { env } = {}) {
  return track(
    fork(modulePath, args, {
      ...(env ? { env: { ...process.env, ...env } } : {}),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execPath: '/bin/sh',
      execArgv: ['-c', RAISE_LIMIT, 'sh', process.execPath],
    }),
  );
}

/** Stops a child: SIGTERM, then SIGKILL after `grace` ms. Resolves when it has exited. */
export function stop(child, grace = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {}
    }, grace);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(child.pid, 'SIGTERM');
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

/** The soft open-files limit a child started by this module gets (see RAISE_LIMIT), or `undefined`. */
export function childFileLimit(env = {}) {
  try {
    const out = execFileSync('/bin/sh', ['-c', `${RAISE_LIMIT.replace(/exec "\$@"$/, '')}ulimit -n`], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    }).trim();
    return out === 'unlimited' ? Infinity : Number(out);
  } catch {
    return undefined;
  }
}

/**
 * CPU time of a process so far, in milliseconds, split into the time spent in its own code (`user`)
 * and in the kernel on its behalf (`system`: for a broadcast server, mostly the TCP send path of
 * each write), from /proc/<pid>/stat.
 * @returns {{ user: number, system: number }}
 */
export function cpuTimesMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: (Number(fields[11]) * 1000) / CLK_TCK, system: (Number(fields[12]) * 1000) / CLK_TCK };
}

/** User + system CPU time of a process so far, in milliseconds (from /proc/<pid>/stat). */
export function cpuMs(pid) {
  const { user, system } = cpuTimesMs(pid);
  return user + system;
}

/**
 * Write system calls (write, writev and the like) a process has made so far, from the `syscw`
 * line of /proc/<pid>/io; NaN where that file cannot be read (a kernel without task I/O
 * accounting, or another user's process).
 */
export function writeSyscalls(pid) {
  try {
    const match = /^syscw:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return match ? Number(match[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** Resident set size of a process, in bytes (from /proc/<pid>/status). */
export function rssBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : NaN;
}
