import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Comment } from 'danmaku-layer-protocol';
import { openPostgresArchive } from './archive/postgres-archive.js';
import type { Archive } from './archive/archive.js';
import { importArchive } from './archive/import.js';
import { RedisEngine } from './redis-engine.js';
import { BILIBILI_XML, archiveComment } from './testing/archive-fixtures.js';
import { TestPostgres, postgresMissing } from './testing/postgres-server.js';
import { TestRedis } from './testing/redis-server.js';
import { startTestServer, type TestContext } from './testing/test-server.js';

// Only missing binaries skip these tests (.ci/run installs Debian's postgresql, so CI runs them).
const missing = postgresMissing();
if (missing) console.log(`# skipping the PostgreSQL archive tests: ${missing}`);

let pg: TestPostgres;
before(async () => {
  if (!missing) pg = await TestPostgres.start();
});
after(async () => {
  await pg?.close();
});

async function openArchive(t: TestContext): Promise<Archive> {
  const archive = await openPostgresArchive({ url: pg.url });
  t.after(() => archive.close());
  return archive;
}

async function redisEngine(t: TestContext, redis: TestRedis): Promise<RedisEngine> {
  const engine = new RedisEngine({ url: redis.url });
  t.after(() => engine.close());
  await engine.whenReady();
  return engine;
}

test('two instances on Redis and PostgreSQL serve one archive', { skip: missing }, async (t) => {
  const redis = await TestRedis.start();
  t.after(() => redis.close());
  const [archiveA, archiveB] = await Promise.all([openArchive(t), openArchive(t)]);
  const a = await startTestServer(t, { engine: await redisEngine(t, redis), archive: archiveA });
  const b = await startTestServer(t, { engine: await redisEngine(t, redis), archive: archiveB });
  const onA = await a.connect('room=shared');
  const onB = await b.connect('room=shared');
  onA.sendComment('from A at 2', { time: 2 });
  onB.sendComment('from B at 1', { time: 1 });
  onA.sendComment('from A at 3', { time: 3 });
  const live = await onB.waitForComments(3);
  await onA.waitForComments(3);

  for (const server of [a, b]) {
    const res = await fetch(`${server.http}/rooms/shared/comments`);
    const { comments } = (await res.json()) as { comments: Comment[] };
    assert.deepEqual(
      comments.map((c) => [c.time, c.text]),
      [
        [1, 'from B at 1'],
        [2, 'from A at 2'],
        [3, 'from A at 3'],
      ],
    );
    // Exactly what was seen live: the same seq and ts.
    for (const c of comments) {
      const seen = live.find((l) => l.id === c.id)!;
      assert.equal(c.seq, seen.seq);
      assert.equal(c.ts, seen.ts);
    }
  }
});

test(
  'the schema is created once by instances starting together, and kept across restarts',
  { skip: missing },
  async (t) => {
    const archives = await Promise.all([openArchive(t), openArchive(t), openArchive(t)]);
    const report = await importArchive(archives[0], 'pg-import', BILIBILI_XML);
    assert.equal(report.added, 7);
    await archives[0].close();
    const reopened = await openArchive(t);
    assert.equal((await importArchive(reopened, 'pg-import', BILIBILI_XML)).added, 0);
    assert.equal(await archives[1].count('pg-import'), 7);
    const first = await reopened.window('pg-import', { from: 3, limit: 2 });
    assert.deepEqual(
      first.comments.map((c) => c.time),
      [3, 4],
    );
    const rest = await reopened.window('pg-import', { from: 3, limit: 10, after: first.next! });
    assert.deepEqual(
      rest.comments.map((c) => c.time),
      [5, 6, 11],
    );
  },
);

test('a comment PostgreSQL cannot store is a failed send, and nobody sees it', { skip: missing }, async (t) => {
  const archive = await openPostgresArchive({ url: pg.url });
  const server = await startTestServer(t, { archive });
  const sender = await server.connect('room=pg-broken');
  const watcher = await server.connect('room=pg-broken');
  sender.sendComment('kept', { time: 1 });
  await watcher.waitForComments(1);
  await archive.close();
  const id = sender.sendComment('lost', { time: 2 });
  const error = await sender.next((m) => m.type === 'error' && 'id' in m && m.id === id);
  assert.equal((error as { code: string }).code, 'internal');
  assert.deepEqual(
    watcher.comments.map((c) => c.text),
    ['kept'],
  );
});

test('retention in PostgreSQL keeps the newest comments of a room', { skip: missing }, async (t) => {
  const archive = await openPostgresArchive({ url: pg.url, maxComments: 10 });
  t.after(() => archive.close());
  const comments = Array.from({ length: 30 }, (_, i) => archiveComment(`r${i}`, i));
  await archive.importComments('pg-retention', comments, Date.now());
  await archive.prune();
  assert.equal(await archive.count('pg-retention'), 10);
  assert.equal((await archive.window('pg-retention', { limit: 1 })).comments[0].id, 'r20');
});

test(
  'removed comments are gone from PostgreSQL; findBySeq names the newest comment with that seq',
  { skip: missing },
  async (t) => {
    const archive = await openPostgresArchive({ url: pg.url });
    t.after(() => archive.close());
    for (const [i, id] of ['a', 'b', 'c'].entries()) {
      await archive.reserve('pg-gone', archiveComment(id, i), 1000 + i);
      await archive.confirm('pg-gone', id, i + 1, 1000 + i);
    }
    assert.equal((await archive.findBySeq('pg-gone', 2))?.id, 'b');
    assert.equal(await archive.findBySeq('pg-gone', 99), undefined);
    assert.equal(await archive.remove('pg-gone', ['b', 'missing']), 1);
    assert.equal(await archive.findBySeq('pg-gone', 2), undefined);
    const left = await archive.window('pg-gone', { limit: 10 });
    assert.deepEqual(
      left.comments.map((c) => c.id),
      ['a', 'c'],
    );
  },
);

test(
  'after a large import, the planner knows how many comments a window holds and walks the time index',
  { skip: missing },
  async (t) => {
    const name = 'pg';
    const { default: pgModule } = (await import(name)) as {
      default: {
        Client: new (options: { connectionString: string }) => {
          connect(): Promise<void>;
          query(sql: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
          end(): Promise<void>;
        };
      };
    };
    const admin = new pgModule.Client({ connectionString: pg.url });
    await admin.connect();
    t.after(() => admin.end());
    // A database of its own: no statistics left by other tests, nor by autovacuum (a minute away).
    await admin.query('CREATE DATABASE danmaku_plan');
    const url = pg.url.replace(/\/postgres$/, '/danmaku_plan');
    const archive = await openPostgresArchive({ url });
    t.after(() => archive.close());
    // 20,000 comments over 600 s: a 30-second window holds about 1,000.
    const comments = Array.from({ length: 20_000 }, (_, i) =>
      archiveComment(`plan${i}`, (i * 7919) % 600, `comment ${i}`),
    );
    assert.equal(await archive.importComments('pg-plan', comments, Date.now()), comments.length);

    const client = new pgModule.Client({ connectionString: url });
    await client.connect();
    t.after(() => client.end());
    // The query of `window()`.
    const { rows } = await client.query(
      `EXPLAIN (FORMAT JSON) SELECT row_id AS row, id, seq, ts, time, text, color, mode, size, user_id, user_name
       FROM danmaku_comments WHERE room = $1 AND time IS NOT NULL AND time >= $2 AND time < $3
       ORDER BY time, row_id LIMIT $4`,
      ['pg-plan', 100, 130, 501],
    );
    interface PlanNode {
      'Node Type': string;
      'Index Name'?: string;
      'Plan Rows': number;
      Plans?: PlanNode[];
    }
    const plan = (rows[0]['QUERY PLAN'] as Array<{ Plan: PlanNode }>)[0].Plan;
    assert.equal(plan['Node Type'], 'Limit');
    const [scan] = plan.Plans ?? [];
    assert.deepEqual([scan['Node Type'], scan['Index Name']], ['Index Scan', 'danmaku_comments_by_time']);
    // Without statistics PostgreSQL guesses a handful of rows; on a room of 1,000,000 that guess
    // made it read and sort whole windows.
    assert.ok(scan['Plan Rows'] > 500, `the planner expects ${scan['Plan Rows']} rows in the window`);
  },
);
