import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ArchiveFormatError,
  displayCheck,
  parseArchive,
  sendCheck,
  parseBilibiliXml,
  parseDplayerJson,
  toBilibiliXml,
} from 'danmaku-layer-protocol/formats';
import { openSqliteArchive } from './archive/sqlite-archive.js';
import { importArchive } from './archive/import.js';
import { BILIBILI_XML, DPLAYER_JSON } from './testing/archive-fixtures.js';
import { BIN, cleanEnv } from './testing/bin.js';
import type { TestContext } from './testing/test-server.js';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'danmaku-import-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('bilibili XML: modes, sizes and colours map; advanced modes, over-long and empty texts are skipped and counted', () => {
  const { comments, skipped } = parseBilibiliXml(BILIBILI_XML, { check: sendCheck });
  assert.deepEqual(
    comments.map(({ id, time, mode, size, color, text }) => [id, time, mode, size, color, text]),
    [
      ['bili:1001', 1.5, 'scroll', 'medium', '#ffffff', 'scroll one'],
      ['bili:1002', 2.25, 'scroll', 'small', '#ff0000', 'scroll two, small red'],
      ['bili:1003', 3, 'scroll', 'large', '#00ff00', 'scroll three, large green'],
      ['bili:1004', 4, 'bottom', 'medium', '#0000ff', 'bottom blue'],
      ['bili:1005', 5, 'top', 'medium', '#ffff00', 'top yellow'],
      ['bili:1006', 6, 'scroll', 'medium', '#ffffff', 'reverse'],
      // Markup is text: decoded once, never interpreted.
      ['bili:1011', 11, 'scroll', 'medium', '#ffffff', '<b>not bold</b> & fine'],
    ],
  );
  assert.deepEqual(skipped, { advanced_mode: 2, too_long: 1, empty: 1 });
});

test('bilibili XML: a longer limit keeps the long comment; text is normalised like a live one', () => {
  const { comments, skipped } = parseBilibiliXml(
    '<i><d p="1,1,25,255">  a\u202eb\u200b  </d><d p="2,1,25,255">' + 'z'.repeat(150) + '</d></i>',
    { maxTextLength: 200, check: sendCheck },
  );
  assert.deepEqual(
    comments.map((c) => c.text),
    ['ab', 'z'.repeat(150)],
  );
  assert.deepEqual(skipped, {});
  // Without row ids, ids are hashes of the entry: the same in every read, distinct between entries.
  assert.match(comments[0].id, /^bili:h[0-9a-z]+$/);
  assert.notEqual(comments[0].id, comments[1].id);
  assert.deepEqual(parseBilibiliXml('<i><d p="1,1,25,255">  a\u202eb\u200b  </d></i>').comments[0].id, comments[0].id);
});

test('DPlayer JSON: types and colours map; identical entries are kept under ids of their own', () => {
  const { comments, skipped } = parseDplayerJson(DPLAYER_JSON, { check: sendCheck });
  assert.deepEqual(
    comments.map(({ time, mode, color, text, user }) => [time, mode, color, text, user?.id]),
    [
      [0.5, 'scroll', '#ffffff', 'hello', 'alice'],
      [1.5, 'top', '#ff0000', 'top red', 'bob'],
      [2.5, 'bottom', '#0000ff', 'bottom blue', 'carol'],
      [0.5, 'scroll', '#ffffff', 'hello', 'alice'],
    ],
  );
  assert.equal(comments[3].id, `${comments[0].id}.2`);
  assert.deepEqual(skipped, { too_long: 1, invalid: 1, unreadable: 1, bad_time: 1 });
});

test('the display check of a page maps the fixtures as the server does, without authors', () => {
  for (const text of [BILIBILI_XML, DPLAYER_JSON]) {
    const server = parseArchive(text, undefined, { check: sendCheck });
    const page = parseArchive(text, undefined, { check: displayCheck });
    assert.deepEqual(page.skipped, server.skipped);
    assert.deepEqual(
      page.comments,
      server.comments.map(({ user: _user, ...comment }) => comment),
    );
  }
});

test('a text that is not the format is an ArchiveFormatError; the format is guessed when not named', () => {
  assert.throws(() => parseArchive('not xml at all', 'bilibili'), ArchiveFormatError);
  assert.throws(() => parseArchive('{"data": 3}', 'dplayer'), ArchiveFormatError);
  assert.throws(() => parseArchive('{oops', 'json'), ArchiveFormatError);
  assert.equal(parseArchive(BILIBILI_XML).comments.length, 7);
  assert.equal(parseArchive(DPLAYER_JSON).comments.length, 4);
  assert.equal(parseArchive('[{"text":"hi","time":2,"mode":"top"}]').comments[0].mode, 'top');
});

test('bilibili XML written by the export reads back as the same comments', () => {
  const { comments } = parseBilibiliXml(BILIBILI_XML);
  const again = parseBilibiliXml(toBilibiliXml(comments.map((c) => ({ ...c, ts: 0 }))));
  assert.deepEqual(
    again.comments.map(({ time, mode, size, color, text }) => ({ time, mode, size, color, text })),
    comments.map(({ time, mode, size, color, text }) => ({ time, mode, size, color, text })),
  );
});

test('importing the same file twice adds nothing the second time', async (t) => {
  const archive = await openSqliteArchive({ dataDir: tempDir(t) });
  t.after(() => archive.close());
  const first = await importArchive(archive, 'bili', BILIBILI_XML, { format: 'bilibili' });
  assert.deepEqual(first, { added: 7, duplicates: 0, skipped: { advanced_mode: 2, too_long: 1, empty: 1 } });
  const second = await importArchive(archive, 'bili', BILIBILI_XML, { format: 'bilibili' });
  assert.equal(second.added, 0);
  assert.equal(second.duplicates, 7);
  const dplayer = await importArchive(archive, 'bili', DPLAYER_JSON);
  assert.equal(dplayer.added, 4);
  assert.equal(await archive.count('bili'), 11);
  const page = await archive.window('bili', { from: 0, to: 1, limit: 10 });
  assert.deepEqual(
    page.comments.map((c) => [c.time, c.text, c.seq]),
    [
      [0.5, 'hello', 0],
      [0.5, 'hello', 0],
    ],
  );
});

test('the import command prints what it added and skipped, and exits non-zero on an unreadable file', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'talk.xml');
  writeFileSync(file, BILIBILI_XML);
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [BIN, 'import', ...args], { encoding: 'utf8', env: cleanEnv() });
  const first = run('--room', 'talk', '--format', 'bilibili', '--data-dir', join(dir, 'data'), file);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /room talk: 7 added, 0 already archived/);
  assert.match(first.stdout, /skipped advanced_mode: 2/);
  assert.match(first.stdout, /skipped too_long: 1/);
  const second = spawnSync(process.execPath, [BIN, 'import', '--room', 'talk', file], {
    encoding: 'utf8',
    env: cleanEnv({ DANMAKU_DATA_DIR: join(dir, 'data') }),
  });
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stdout, /0 added, 7 already archived/);

  const missing = run('--room', 'talk', '--data-dir', join(dir, 'data'), join(dir, 'nope.xml'));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /cannot read .*nope\.xml/);
  const garbage = join(dir, 'garbage.xml');
  writeFileSync(garbage, 'hello');
  const unreadable = run('--room', 'talk', '--format', 'bilibili', '--data-dir', join(dir, 'data'), garbage);
  assert.equal(unreadable.status, 1);
  assert.match(unreadable.stderr, /unreadable: Not bilibili XML/);
  const usage = run('--data-dir', join(dir, 'data'), file);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /--room is required/);
  const noStore = run('--room', 'talk', file);
  assert.equal(noStore.status, 2);
  assert.match(noStore.stderr, /--data-dir DIR or --database-url URL/);
});
