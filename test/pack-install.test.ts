// End to end, as published: every workspace packed with `npm pack`, the tarballs installed with
// `npm install ./*.tgz` into a scratch folder outside the repository, the installed
// `danmaku-layer-server --demo` started from there, and a page of another origin with the README's
// script tag sending and receiving through it in Chromium. Also what each tarball ships: README,
// LICENSE, no test harness, no source-map comment without its map, and publint and
// @arethetypeswrong/cli (esm-only profile) clean.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './support/browser.js';
import { openConnected, readmeSnippet, sendAndReceive, startPageOrigin } from './support/cross-origin.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGES = ['danmaku-layer-protocol', 'danmaku-layer', 'danmaku-layer-server'];

let scratch: string;
let tarballs: string[];
let bin: ChildProcess | undefined;
let browser: Browser | undefined;

/** Our environment without npm's own variables (set by `npm test`), which would steer a nested npm. */
function env(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && !key.startsWith('DANMAKU_') && key !== 'PORT'),
  );
}

/** Runs a command; on failure, the assertion shows its output. */
async function sh(file: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run(file, args, { cwd, env: env(), maxBuffer: 16 * 1024 * 1024, timeout: 180_000 });
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    assert.fail(`${file} ${args.join(' ')} failed:\n${stdout}\n${stderr}`);
  }
}

/** Every file under `dir`, as paths relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
}

/** The installed folder of `name`, as Node resolves it from `from` (nearest node_modules up). */
function installed(name: string, from: string): string | undefined {
  for (let dir = from; dirname(dir) !== dir; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
  }
  return undefined;
}

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'danmaku-install-'));
  await sh('npm', ['pack', '--workspaces', '--pack-destination', scratch], root);
  tarballs = (await readdir(scratch)).filter((name) => name.endsWith('.tgz')).sort();
  assert.equal(tarballs.length, PACKAGES.length, `one tarball per workspace: ${tarballs.join(', ')}`);
  await writeFile(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true }));
  await sh(
    'npm',
    ['install', ...tarballs.map((t) => `./${t}`), '--prefer-offline', '--no-audit', '--no-fund'],
    scratch,
  );
});

after(async () => {
  await browser?.close();
  if (bin && bin.exitCode === null && bin.signalCode === null) {
    const exited = new Promise((resolve) => bin!.once('exit', resolve));
    bin.kill('SIGTERM');
    await exited;
  }
  await rm(scratch, { recursive: true, force: true });
});

test('each tarball has a README and a LICENSE, no test harness, and no source-map comment without its map', async () => {
  for (const name of PACKAGES) {
    const dir = join(scratch, 'node_modules', name);
    const files = await filesUnder(dir);
    assert.ok(files.includes('README.md'), `${name} has a README`);
    assert.ok(files.includes('LICENSE'), `${name} has a LICENSE`);
    const harness = files.filter((f) => /\.test\.|(^|\/)testing\/|(^|\/)test\//.test(f));
    assert.deepEqual(harness, [], `${name} ships no tests or test harness`);
    for (const file of files.filter((f) => /\.(js|ts)$/.test(f))) {
      const map = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(await readFile(join(dir, file), 'utf8'))?.[1];
      if (map) assert.ok(files.includes(join(dirname(file), map)), `${name}/${file} points at ${map}, which ships`);
    }
    for (const file of files.filter((f) => f.endsWith('.map'))) {
      const map = JSON.parse(await readFile(join(dir, file), 'utf8')) as {
        sources: string[];
        sourcesContent?: Array<string | null>;
      };
      map.sources.forEach((source, i) => {
        const shipped = files.includes(join(dirname(file), source)) || typeof map.sourcesContent?.[i] === 'string';
        assert.ok(shipped, `${name}/${file} maps to ${source}, which ships (or is inlined)`);
      });
    }
  }
});

test('publint and @arethetypeswrong/cli (esm-only profile) pass on each tarball', async () => {
  for (const tarball of tarballs) {
    await sh(join(root, 'node_modules/.bin/publint'), ['run', join(scratch, tarball), '--strict'], root);
    await sh(
      join(root, 'node_modules/.bin/attw'),
      [join(scratch, tarball), '--profile', 'esm-only', '--format', 'ascii'],
      root,
    );
  }
});

test("the server's installed dependency tree has no lit and no widget package", async () => {
  const server = join(scratch, 'node_modules', 'danmaku-layer-server');
  const seen = new Set<string>();
  const visit = async (dir: string): Promise<void> => {
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
    const required = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }).filter(
      (name) => !manifest.peerDependenciesMeta?.[name]?.optional,
    );
    const optional = Object.keys({ ...manifest.optionalDependencies, ...manifest.peerDependenciesMeta });
    for (const name of [...required, ...optional]) {
      const found = installed(name, dir);
      if (!found && !required.includes(name)) continue; // an optional one that is not installed
      assert.ok(found, `${name}, needed by ${dir}, is installed`);
      if (seen.has(name)) continue;
      seen.add(name);
      await visit(found);
    }
  };
  await visit(server);
  assert.ok(seen.has('ws') && seen.has('danmaku-layer-protocol'), [...seen].join(', '));
  const unwanted = [...seen].filter(
    (name) => name === 'danmaku-layer' || /^(lit|lit-html|lit-element|@lit\/.*)$/.test(name),
  );
  assert.deepEqual(unwanted, []);
});

test('the installed `danmaku-layer-server --demo` serves the demo and the bundles to a page of another origin', async () => {
  // The bin as npx runs it: node_modules/.bin of the scratch folder.
  bin = spawn(
    join(scratch, 'node_modules/.bin/danmaku-layer-server'),
    ['--demo', '--host', '127.0.0.1', '--port', '0', '--flush-interval', '5'],
    {
      cwd: scratch,
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  bin.stderr!.on('data', (data) => (stderr += data));
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = '';
    bin!.stdout!.on('data', (data) => {
      buffer += data;
      for (const line of buffer.split('\n').slice(0, -1)) {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'listening' && entry.port) resolve(entry.port);
      }
      buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
    });
    bin!.once('exit', (code) => reject(new Error(`the bin exited with ${code} before listening:\n${stderr}`)));
  });
  const base = `http://127.0.0.1:${port}`;

  const demo = await fetch(`${base}/`);
  assert.equal(demo.status, 200);
  assert.match(await demo.text(), /<danmaku-layer/);
  const bundle = await fetch(`${base}/danmaku-layer.bundle.js`);
  assert.equal(bundle.status, 200);
  assert.deepEqual(
    Buffer.from(await bundle.arrayBuffer()),
    await readFile(join(scratch, 'node_modules/danmaku-layer/dist/danmaku-layer.bundle.js')),
    'the same bundle as the widget package ships',
  );

  const origin = await startPageOrigin(await readmeSnippet(base));
  try {
    browser = await launchBrowser();
    const a = await openConnected(browser, origin.url);
    const b = await openConnected(browser, origin.url);
    assert.deepEqual(await sendAndReceive(a.page, b.page, 'from the installed packages'), {
      text: 'from the installed packages',
      own: false,
    });
    for (const script of a.scripts) assert.equal(script.headers['access-control-allow-origin'], '*', script.url);
  } finally {
    await origin.close();
  }
});
