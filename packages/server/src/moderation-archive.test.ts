import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Comment, RetractedMessage } from 'danmaku-layer-protocol';
import { openSqliteArchive } from './archive/sqlite-archive.js';
import { MemoryEngine } from './memory-engine.js';
import { request, signToken, testAuth } from './testing/moderation-clients.js';
import { startTestServer, type TestContext } from './testing/test-server.js';

async function archiveIn(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'danmaku-moderation-'));
  const archive = await openSqliteArchive({ dataDir: dir });
  t.after(async () => {
    await archive.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return archive;
}

async function read(http: string, room: string): Promise<Comment[]> {
  const res = await fetch(`${http}/rooms/${room}/comments?limit=100`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { comments: Comment[] }).comments;
}

test('retracted and cleared comments leave the archive: the read API no longer serves them', async (t) => {
  const archive = await archiveIn(t);
  // A history of two: the oldest comment is found through the archive only.
  const engine = new MemoryEngine({ historySize: 2 });
  t.after(() => engine.close());
  const { open, http } = await startTestServer(t, { archive, engine, auth: testAuth, rateLimit: 0, ipRateLimit: 0 });
  const mod = await open('room=film');
  mod.ws.send(JSON.stringify({ type: 'auth', token: await signToken({ sub: 'mod', role: 'moderator' }) }));
  await mod.next((m) => m.type === 'welcome');
  const seqs: number[] = [];
  for (const [i, text] of ['old', 'keep', 'bad', 'keep too'].entries()) {
    const answer = await request(mod, { type: 'send', text, time: i });
    assert.equal(answer.type, 'ack');
    seqs.push(answer.seq!);
  }
  assert.equal((await read(http, 'film')).length, 4);

  assert.equal((await request(mod, { type: 'retract', seq: seqs[2] })).type, 'ack');
  assert.deepEqual((await mod.next<RetractedMessage>((m) => m.type === 'retract')).seqs, [seqs[2]]);
  assert.equal((await request(mod, { type: 'retract', seq: seqs[0] })).type, 'ack', 'older than the history');
  assert.deepEqual(
    (await read(http, 'film')).map((c) => c.text),
    ['keep', 'keep too'],
  );
  assert.equal(await archive.findBySeq('film', seqs[2]), undefined);

  assert.equal((await request(mod, { type: 'clear' })).type, 'ack');
  // The clear takes what the history held; the archive's older comments stay for the record.
  assert.deepEqual(
    (await read(http, 'film')).map((c) => c.text),
    ['keep'],
  );
});
