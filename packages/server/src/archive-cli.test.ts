import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Comment } from 'danmaku-layer-protocol';
import { MissingDependencyError, loadOptional } from './archive/load-optional.js';
import { parseCli, UsageError } from './cli.js';
import { startBin } from './testing/bin.js';
import { TestClient } from './testing/client.js';

test('the server started with --data-dir keeps every comment across a restart of its process', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'danmaku-cli-archive-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = await startBin(t, ['--data-dir', dataDir, '--rate-limit', '0', '--ip-rate-limit', '0']);
  assert.ok(first.lines.some((l) => l.msg === 'archive open' && l.archive === 'sqlite'));
  const client = await TestClient.connect(`ws://127.0.0.1:${first.port}/ws`, 'room=cli');
  for (let i = 0; i < 20; i++) client.sendComment(`n${i}`, { time: 20 - i });
  await client.waitForComments(20);
  client.close();
  first.child.kill('SIGTERM');
  assert.equal(await first.exited, 0);

  const second = await startBin(t, [], { DANMAKU_DATA_DIR: dataDir });
  const res = await fetch(`http://127.0.0.1:${second.port}/rooms/cli/comments`);
  const { comments } = (await res.json()) as { comments: Comment[] };
  assert.deepEqual(
    comments.map((c) => c.text),
    Array.from({ length: 20 }, (_, i) => `n${19 - i}`),
  );
  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0);
});

test('archive flags are checked: one store at most, a postgres URL, retention only with a store', () => {
  assert.throws(() => parseCli(['--data-dir', '/tmp/x', '--database-url', 'postgres://h/db'], {}), /either --data-dir/);
  assert.throws(() => parseCli(['--database-url', 'mysql://h/db'], {}), UsageError);
  assert.throws(
    () => parseCli(['--archive-max-comments', '10'], {}),
    /--archive-max-comments \(or \$DANMAKU_ARCHIVE_MAX_COMMENTS\) and --archive-max-age \(or \$DANMAKU_ARCHIVE_MAX_AGE\) need/,
  );
  assert.throws(() => parseCli(['--data-dir', '/tmp/x', '--archive-max-age', '0'], {}), /--archive-max-age/);
  assert.deepEqual(parseCli(['--archive-max-comments', '5'], { DANMAKU_DATA_DIR: '/tmp/x' }).archive, {
    dataDir: '/tmp/x',
    maxComments: 5,
  });
  assert.equal(parseCli([], {}).archive, undefined);
});

test('a driver that is not installed is a clear error that says how to install it', async () => {
  await assert.rejects(
    loadOptional('danmaku-layer-no-such-driver', '--data-dir (an archive in SQLite)', 'better-sqlite3@12'),
    (error: unknown) =>
      error instanceof MissingDependencyError &&
      /--data-dir \(an archive in SQLite\) needs the package "danmaku-layer-no-such-driver".*npm install better-sqlite3@12/.test(
        error.message,
      ),
  );
});
