/**
 * Three `danmaku-layer-server` processes over one real Redis behave like one server: global order,
 * recovery on another instance after a crash, and recovery from a Redis restart.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestRedis } from './testing/redis-server.js';
import { ServerProcess } from './testing/server-process.js';
import { ResumingClient } from './testing/resuming-client.js';
import { TestClient } from './testing/client.js';

let redis: TestRedis;
const instances: ServerProcess[] = [];
const clients: ResumingClient[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startInstance(): Promise<ServerProcess> {
  // Every other instance takes the URL from the environment, so both ways are exercised.
  const instance =
    instances.length % 2 === 0
      ? await ServerProcess.start(['--redis-url', redis.url, '--flush-interval', '5'])
      : await ServerProcess.start(['--flush-interval', '5'], { DANMAKU_REDIS_URL: redis.url });
  instances.push(instance);
  await until(async () => (await instance.readyz()) === 200, 'instance ready');
  return instance;
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeout = 20_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Starts `count` clients of `room`, client i on instance i mod n; after a loss, on the next live one. */
async function spreadClients(room: string, count: number, over: ServerProcess[]): Promise<ResumingClient[]> {
  const started = Array.from({ length: count }, (_, i) => {
    const client = new ResumingClient({
      room,
      pick: (attempt) => {
        const live = over.filter((s) => s.child.exitCode === null && s.child.signalCode === null);
        return live[(i + attempt) % live.length].ws;
      },
    });
    clients.push(client);
    return client;
  });
  await Promise.all(started.map((c) => c.start()));
  return started;
}

/** The ids a client received in the given epoch, in order. */
const idsIn = (client: ResumingClient, epoch: string) =>
  client.received.filter((c) => c.epoch === epoch).map((c) => c.id);

before(async () => {
  redis = await TestRedis.start();
  for (let i = 0; i < 3; i++) await startInstance();
});

after(async () => {
  for (const client of clients) client.stop();
  await Promise.all(instances.map((i) => i.kill()));
  await redis.close();
});

test('clients spread over three instances all receive every comment, in the same order', async () => {
  const room = 'order';
  const group = await spreadClients(room, 9, instances.slice(0, 3));
  const senders = group.slice(0, 3); // one per instance
  const sent: string[] = [];
  for (let round = 0; round < 30; round++) for (const sender of senders) sent.push(sender.send(`r${round}`));
  await Promise.all(group.map((c) => c.until(() => c.received.length >= sent.length, 'every comment')));
  const reference = group[0].received.map((c) => c.id);
  assert.deepEqual([...reference].sort(), [...sent].sort());
  for (const client of group) {
    assert.deepEqual(
      client.received.map((c) => c.id),
      reference,
    );
    assert.deepEqual(
      client.received.map((c) => c.seq),
      Array.from({ length: sent.length }, (_, i) => i + 1),
    );
  }
});

test('when an instance is killed mid-stream, its clients resume on the others and miss nothing, twice nothing', async () => {
  const room = 'crash';
  const [, , victim] = instances;
  const group = await spreadClients(room, 9, instances.slice(0, 3));
  const onVictim = group.filter((_, i) => i % 3 === 2);
  // Senders on a surviving instance and on the victim: the victim's unacknowledged sends are resent
  // elsewhere with the same ids and must still be posted once.
  const senders = [group[0], onVictim[0]];
  const sent: string[] = [];
  const streaming = (async () => {
    for (let i = 0; i < 100; i++) {
      for (const sender of senders) sent.push(sender.send(`m${i}`));
      if (i === 40) void victim.kill();
      await sleep(5);
    }
  })();
  await streaming;
  await Promise.all(
    group.map((c) => c.until(() => c.received.length >= sent.length && c.unacked.size === 0, 'every comment', 30_000)),
  );
  await sleep(200);

  const epoch = group[0].epoch!;
  const reference = idsIn(group[0], epoch);
  assert.equal(new Set(sent).size, 200);
  assert.deepEqual([...reference].sort(), [...sent].sort(), 'every sent comment was posted exactly once');
  for (const client of group) {
    assert.deepEqual(
      client.received.map((c) => c.id),
      reference,
      'same comments, same order, no duplicates',
    );
    assert.deepEqual(
      client.received.map((c) => c.seq),
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
  }
  for (const client of onVictim) {
    assert.ok(client.welcomes.length >= 2, "the victim's clients reconnected");
    assert.ok(
      client.welcomes.slice(1).every((w) => w.recovered === true),
      'and recovered on another instance',
    );
  }
});

test('a Redis restart: instances report not ready, keep clients connected, then recover by themselves', async () => {
  const live = instances.filter((s) => s.child.exitCode === null && s.child.signalCode === null);
  assert.equal(live.length, 2);
  live.push(await startInstance());
  const room = 'outage';
  const group = await spreadClients(room, 6, live);
  const sender = group[0];
  sender.send('before');
  await Promise.all(group.map((c) => c.until(() => c.received.length === 1, 'the first comment')));
  const oldEpoch = sender.epoch!;
  const welcomesBefore = group.map((c) => c.welcomes.length);

  await redis.stop();
  await until(
    async () => (await Promise.all(live.map((s) => s.readyz()))).every((status) => status === 503),
    'every instance not ready',
  );
  const failedId = sender.send('during the outage');
  await sender.until(() => sender.errors.some((e) => e.id === failedId), 'an error for the send');
  assert.equal(sender.errors.find((e) => e.id === failedId)!.code, 'internal');
  // A newcomer cannot join without Redis: it is told so (1011) and will retry; the server lives on.
  const newcomer = new TestClient(`${live[0].ws}?room=${room}`);
  assert.equal(await new Promise<number>((resolve) => newcomer.ws.on('close', (code) => resolve(code))), 1011);
  assert.deepEqual(
    group.map((c) => c.welcomes.length),
    welcomesBefore,
    'nobody was disconnected by the outage',
  );
  assert.ok(group.every((c) => c.live));

  await redis.restart();
  await until(
    async () => (await Promise.all(live.map((s) => s.readyz()))).every((status) => status === 200),
    'every instance ready again',
  );
  // The restarted Redis is empty: the room's sequence restarts, and every client is told so
  // (reconnect, then `recovered: false`) instead of silently missing comments.
  sender.send('probe');
  await Promise.all(group.map((c) => c.until(() => c.live && c.epoch !== oldEpoch, 'a welcome in the new epoch')));
  for (const client of group) {
    assert.ok(client.closeCodes.includes(1012), 'closed with "service restart"');
    assert.equal(
      client.welcomes.at(-1)!.recovered,
      false,
      JSON.stringify({ welcomes: client.welcomes, closes: client.closeCodes, oldEpoch }),
    );
  }

  const sent: string[] = [];
  for (let i = 0; i < 30; i++) sent.push(group[i % group.length].send(`after${i}`));
  const epoch = sender.epoch!;
  await Promise.all(
    group.map((c) => c.until(() => sent.every((id) => idsIn(c, epoch).includes(id)), 'comments after the restart')),
  );
  const order = (c: ResumingClient) => idsIn(c, epoch).filter((id) => sent.includes(id));
  for (const client of group) assert.deepEqual(order(client), order(sender));
});
