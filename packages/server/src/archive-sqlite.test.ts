import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Comment, ErrorMessage } from 'danmaku-layer-protocol';
import { openSqliteArchive } from './archive/sqlite-archive.js';
import type { Archive } from './archive/archive.js';
import { archiveComment } from './testing/archive-fixtures.js';
import { startTestServer, type TestContext } from './testing/test-server.js';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'danmaku-archive-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function openArchive(t: TestContext, dataDir: string): Promise<Archive> {
  const archive = await openSqliteArchive({ dataDir });
  t.after(() => archive.close());
  return archive;
}

interface Page {
  room: string;
  comments: Comment[];
  next?: string;
}

async function readAll(http: string, room: string, query = ''): Promise<Comment[]> {
  const all: Comment[] = [];
  let after = '';
  for (;;) {
    const res = await fetch(`${http}/rooms/${room}/comments?limit=3${query}${after ? `&after=${after}` : ''}`);
    assert.equal(res.status, 200);
    const page = (await res.json()) as Page;
    all.push(...page.comments);
    if (!page.next) return all;
    after = page.next;
  }
}

test('a server restarted on the same data directory still serves every comment sent before', async (t) => {
  const dataDir = tempDir(t);
  const first = await openSqliteArchive({ dataDir });
  const before = await startTestServer(t, { archive: first, rateLimit: 0, ipRateLimit: 0 });
  const sender = await before.connect('room=film');
  const watcher = await before.connect('room=film');
  const times = [12.5, 3, 7.25, 3, 0, 30];
  for (const [i, time] of times.entries()) sender.sendComment(`comment ${i}`, { time, color: '#ff0000' });
  sender.sendComment('no media time');
  const live = await watcher.waitForComments(times.length + 1);
  await before.danmaku.close();
  await first.close();

  const archive = await openArchive(t, dataDir);
  const after = await startTestServer(t, { archive });
  const archived = await readAll(after.http, 'film');
  // Media-time order; equal times in the order they were sent; the comment without a time is not in a window.
  const expected = live
    .filter((c) => c.time !== undefined)
    .sort((a, b) => a.time! - b.time! || a.seq - b.seq)
    .map(({ seq, id, text, color, mode, size, time, ts }) => ({ seq, id, text, color, mode, size, time, ts }));
  assert.deepEqual(archived, expected);
  assert.equal(await archive.count('film'), times.length + 1);
});

test('a comment the archive cannot store is a failed send, and nobody sees it', async (t) => {
  const archive = await openSqliteArchive({ dataDir: tempDir(t) });
  const server = await startTestServer(t, { archive });
  const sender = await server.connect('room=broken');
  const watcher = await server.connect('room=broken');
  sender.sendComment('kept', { time: 1 });
  await watcher.waitForComments(1);
  // The database closes under the server, as a disk that fails would make every write fail.
  await archive.close();
  const id = sender.sendComment('lost', { time: 2 });
  const error = await sender.next<ErrorMessage>((m) => m.type === 'error' && m.id === id);
  assert.equal(error.code, 'internal');
  const id2 = sender.sendComment('lost too', { time: 3 });
  await sender.next((m) => m.type === 'error' && 'id' in m && m.id === id2);
  assert.deepEqual(
    watcher.comments.map((c) => c.text),
    ['kept'],
  );
});

test('a resend after the dedupe window is answered from the archive, not published twice', async (t) => {
  const archive = await openArchive(t, tempDir(t));
  const server = await startTestServer(t, { archive });
  const sender = await server.connect('room=again');
  const watcher = await server.connect('room=again');
  sender.sendComment('once', { id: 'same-id', time: 4 });
  await watcher.waitForComments(1);
  // A second server on the same archive has its own (empty) dedupe window, as after a restart.
  const other = await startTestServer(t, { archive });
  const late = await other.connect('room=again');
  late.sendComment('once', { id: 'same-id', time: 4 });
  const ack = await late.next((m) => m.type === 'ack');
  assert.deepEqual(ack, { type: 'ack', id: 'same-id', seq: watcher.comments[0].seq });
  assert.equal(await archive.count('again'), 1);
});

test('the read API pages by cursor, filters by window, answers bilibili XML, ETags, compression and CORS', async (t) => {
  const archive = await openArchive(t, tempDir(t));
  const server = await startTestServer(t, { archive, readRateLimit: 0, rateLimit: 0, ipRateLimit: 0 });
  const sender = await server.connect('room=api');
  for (let i = 0; i < 10; i++) sender.sendComment(`at ${i}`, { time: i, mode: i % 2 ? 'top' : 'scroll' });
  await sender.waitForComments(10);

  const all = await readAll(server.http, 'api');
  assert.deepEqual(
    all.map((c) => c.time),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  const window = await readAll(server.http, 'api', '&from=2.5&to=6');
  assert.deepEqual(
    window.map((c) => c.text),
    ['at 3', 'at 4', 'at 5'],
  );

  const res = await fetch(`${server.http}/rooms/api/comments?from=0&to=2`, {
    headers: { origin: 'https://elsewhere.example' },
  });
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  const etag = res.headers.get('etag');
  assert.ok(etag);
  const again = await fetch(`${server.http}/rooms/api/comments?from=0&to=2`, { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);

  const xml = await fetch(`${server.http}/rooms/api/comments?format=bilibili&from=1&to=2`);
  assert.match(xml.headers.get('content-type') ?? '', /xml/);
  const body = await xml.text();
  assert.match(body, /<d p="1,5,25,16777215,\d+,0,,[\w-]+">at 1<\/d>/);

  // A large page is compressed when the client accepts it (raw HTTP: fetch would decode it).
  const { request } = await import('node:http');
  const compressed = await new Promise<{ encoding?: string; body: Buffer }>((resolve, reject) => {
    request(`${server.http}/rooms/api/comments`, { headers: { 'accept-encoding': 'gzip' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () =>
        resolve({ encoding: response.headers['content-encoding'], body: Buffer.concat(chunks) }),
      );
    })
      .on('error', reject)
      .end();
  });
  assert.equal(compressed.encoding, 'gzip');
  assert.equal((JSON.parse(gunzipSync(compressed.body).toString()) as Page).comments.length, 10);
});

test('the read API answers bad requests with 400 and a reason, and rate-limits per address', async (t) => {
  const archive = await openArchive(t, tempDir(t));
  const server = await startTestServer(t, { archive, readRateLimit: 1, readRateBurst: 6 });
  for (const [query, reason] of [
    ['from=-1', /"from"/],
    ['from=5&to=2', /"to"/],
    ['limit=0', /"limit"/],
    ['limit=100000', /"limit"/],
    ['after=not-a-cursor', /"after"/],
    ['format=srt', /"format"/],
  ] as const) {
    const res = await fetch(`${server.http}/rooms/ok/comments?${query}`);
    assert.equal(res.status, 400, query);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'invalid');
    assert.match(body.error.message, reason);
  }
  const limited = await fetch(`${server.http}/rooms/ok/comments`);
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get('retry-after')) >= 1);
});

test('a room name the protocol refuses is a 400 from the read API', async (t) => {
  const archive = await openArchive(t, tempDir(t));
  const server = await startTestServer(t, { archive, readRateLimit: 0 });
  const res = await fetch(`${server.http}/rooms/${encodeURIComponent('a b')}/comments`);
  assert.equal(res.status, 400);
  const none = await fetch(`${server.http}/rooms/empty/comments`);
  assert.deepEqual(await none.json(), { room: 'empty', comments: [] });
});

test('retention keeps at most the newest comments of a room, and none older than the age limit', async (t) => {
  let now = 1_000_000;
  const archive = await openSqliteArchive({ dataDir: tempDir(t), maxComments: 100, maxAge: 60_000, now: () => now });
  t.after(() => archive.close());
  const comments = Array.from({ length: 250 }, (_, i) => archiveComment(`c${i}`, i));
  await archive.importComments('kept', comments, now);
  await archive.prune();
  assert.equal(await archive.count('kept'), 100);
  const page = await archive.window('kept', { limit: 1 });
  assert.equal(page.comments[0].id, 'c150');
  now += 120_000;
  await archive.importComments('kept', [{ ...comments[0], id: 'fresh' }], now);
  await archive.prune();
  assert.equal(await archive.count('kept'), 1);
});

test('removed comments are gone from the archive; findBySeq names the newest comment with that seq', async (t) => {
  const archive = await openArchive(t, tempDir(t));
  for (const [i, id] of ['a', 'b', 'c'].entries()) {
    await archive.reserve('gone', archiveComment(id, i), 1000 + i);
    await archive.confirm('gone', id, i + 1, 1000 + i);
  }
  // An earlier epoch's comment with the same seq as "b": the newest row is the one a viewer names.
  await archive.importComments('gone', [archiveComment('old-b', 9)], 900);
  assert.equal((await archive.findBySeq('gone', 2))?.id, 'b');
  assert.equal(await archive.findBySeq('gone', 99), undefined);
  assert.equal(await archive.remove('gone', ['b', 'missing']), 1);
  assert.equal(await archive.remove('gone', []), 0);
  assert.equal(await archive.findBySeq('gone', 2), undefined);
  const left = await archive.window('gone', { limit: 10 });
  assert.deepEqual(
    left.comments.map((c) => c.id),
    ['a', 'c', 'old-b'],
  );
});

/** better-sqlite3 itself, to write a file as an older server left it (an optional dependency, untyped here). */
interface RawDatabase {
  exec(sql: string): void;
  pragma(sql: string, options?: { simple: true }): unknown;
  prepare(sql: string): { run(...params: unknown[]): unknown; all(...params: unknown[]): unknown[] };
  close(): void;
}
async function rawDatabase(file: string): Promise<RawDatabase> {
  const name = 'better-sqlite3';
  const module = (await import(name)) as { default: new (file: string) => RawDatabase };
  return new module.default(file);
}

test('a file of schema version 1 is migrated at start-up, keeps its rows, and window reads use the covering index', async (t) => {
  const dataDir = tempDir(t);
  const file = join(dataDir, 'danmaku.sqlite');
  // Exactly what a server of schema version 1 created.
  const old = await rawDatabase(file);
  old.exec(`CREATE TABLE comments (
     row INTEGER PRIMARY KEY, room TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL DEFAULT 0,
     ts INTEGER NOT NULL, time REAL, text TEXT NOT NULL, color TEXT NOT NULL, mode TEXT NOT NULL,
     size TEXT NOT NULL, user_id TEXT, user_name TEXT, UNIQUE (room, id));
   CREATE INDEX comments_by_time ON comments (room, time, row) WHERE time IS NOT NULL;
   CREATE INDEX comments_by_row ON comments (room, row);
   CREATE INDEX comments_by_ts ON comments (ts);`);
  old.pragma('user_version = 1');
  const insert = old.prepare(
    `INSERT INTO comments (room, id, seq, ts, time, text, color, mode, size, user_id, user_name)
     VALUES ('old', ?, ?, 1000, ?, ?, '#ffffff', 'scroll', 'medium', ?, ?)`,
  );
  insert.run('late', 3, 20, 'late', 'u1', 'Ann');
  insert.run('early', 1, 5, 'early', null, null);
  insert.run('untimed', 2, null, 'untimed', null, null);
  insert.run('early too', 4, 5, 'early too', null, null);
  old.close();

  const archive = await openSqliteArchive({ dataDir });
  assert.equal(await archive.count('old'), 4);
  const page = await archive.window('old', { limit: 10 });
  assert.deepEqual(
    page.comments.map((c) => [c.id, c.seq, c.time]),
    [
      ['early', 1, 5],
      ['early too', 4, 5],
      ['late', 3, 20],
    ],
  );
  assert.deepEqual(page.comments[2].user, { id: 'u1', name: 'Ann' });
  await archive.close();

  const db = await rawDatabase(file);
  t.after(() => db.close());
  assert.equal(db.pragma('user_version', { simple: true }), 2);
  const plan = db
    .prepare(
      `EXPLAIN QUERY PLAN SELECT row, id, seq, ts, time, text, color, mode, size, user_id, user_name FROM comments
       WHERE room = ? AND time IS NOT NULL AND time >= ? AND time < ? ORDER BY time, row LIMIT ?`,
    )
    .all('old', 0, 30, 10) as Array<{ detail: string }>;
  assert.deepEqual(
    plan.map((step) => step.detail),
    ['SEARCH comments USING COVERING INDEX comments_window (room=? AND time>? AND time<?)'],
  );
  // Opening a migrated file again changes nothing.
  const again = await openArchive(t, dataDir);
  assert.equal(await again.count('old'), 4);
});

test('comments at the same media time come in the order they were written, across restarts and paging', async (t) => {
  const dataDir = tempDir(t);
  const archive = await openArchive(t, dataDir);
  const first = await startTestServer(t, { archive, readRateLimit: 0, rateLimit: 0, ipRateLimit: 0 });
  const sender = await first.connect('room=ties');
  for (const text of ['a1', 'a2', 'a3', 'a4']) sender.sendComment(text, { time: 5 });
  const live = await sender.waitForComments(4);
  // One writer: the order written is the order of `seq`, the order viewers saw live.
  assert.deepEqual(
    live.map((c) => [c.text, c.seq]),
    [
      ['a1', 1],
      ['a2', 2],
      ['a3', 3],
      ['a4', 4],
    ],
  );
  await first.danmaku.close();

  // A restarted in-memory engine numbers the room from 1 again (a new epoch): `seq` alone would put
  // b1 between a1 and a2; the write order keeps each session's comments after the earlier ones.
  const second = await startTestServer(t, { archive, readRateLimit: 0, rateLimit: 0, ipRateLimit: 0 });
  const again = await second.connect('room=ties');
  for (const text of ['b1', 'b2', 'b3']) again.sendComment(text, { time: 5 });
  assert.deepEqual(
    (await again.waitForComments(3)).map((c) => c.seq),
    [1, 2, 3],
  );
  await archive.importComments(
    'ties',
    ['i1', 'i2'].map((id) => archiveComment(id, 5)),
    Date.now(),
  );
  // Pages of 3 split the tie: the cursor goes on within it.
  assert.deepEqual(
    (await readAll(second.http, 'ties')).map((c) => c.text),
    ['a1', 'a2', 'a3', 'a4', 'b1', 'b2', 'b3', 'i1', 'i2'],
  );
});
