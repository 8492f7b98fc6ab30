/**
 * Per-address limits: one key per IPv4 address or IPv6 /64, sockets and connections counted,
 * penalties that grow with repeats, and entries that leave once they limit nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientIps, PENALTY_BASE, PENALTY_MAX, addressKey } from './client-ips.js';

test('addressKey: IPv4 as is, IPv4-mapped IPv6 as IPv4, IPv6 by /64', () => {
  assert.equal(addressKey('192.0.2.7'), '192.0.2.7');
  assert.equal(addressKey('::ffff:192.0.2.7'), '192.0.2.7');
  assert.equal(addressKey('::FFFF:c000:0207'), '192.0.2.7');
  assert.equal(addressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:db8:1:2::1'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:DB8:0001:0002:ffff::9'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
  assert.equal(addressKey('::1'), '0:0:0:0::/64');
  assert.notEqual(addressKey('2001:db8:1:2::1'), addressKey('2001:db8:1:3::1'));
  assert.equal(addressKey(undefined), 'unknown');
  assert.equal(addressKey('not an address'.repeat(20)).length, 64);
});

test('sockets are capped per key and released on close', (t) => {
  const ips = new ClientIps({ maxConnections: 2, maxSockets: 3, rate: 0, burst: 1 });
  t.after(() => ips.close());
  const key = addressKey('2001:db8:1:2::1');
  const entries = [1, 2, 3].map(() => ips.openSocket(key));
  assert.ok(entries.every(Boolean));
  assert.equal(ips.openSocket(addressKey('2001:db8:1:2::ffff')), undefined, 'same /64, over the cap');
  assert.ok(ips.openSocket(addressKey('2001:db8:1:3::1')), 'another /64');
  ips.closeSocket(entries[0]!);
  assert.ok(ips.openSocket(key));
});

test('connections are capped; a penalty refuses new ones for 10 s, doubling per strike', (t) => {
  const ips = new ClientIps({ maxConnections: 1, rate: 0, burst: 1 });
  t.after(() => ips.close());
  assert.equal(ips.admit('a', 0), undefined);
  const entry = ips.acquire('a');
  assert.deepEqual(ips.admit('a', 0), { reason: 'ip_limit', retryAfter: 10 });
  ips.release(entry);
  assert.equal(ips.penalize(entry, 0), PENALTY_BASE);
  assert.deepEqual(ips.admit('a', 1000), { reason: 'ip_penalty', retryAfter: 9 });
  assert.equal(ips.admit('a', PENALTY_BASE), undefined);
  assert.equal(ips.penalize(entry, PENALTY_BASE), 2 * PENALTY_BASE);
  for (let i = 0; i < 20; i++) ips.penalize(entry, 0);
  assert.equal(ips.penalize(entry, 0), PENALTY_MAX);
});

test('entries leave once nothing is open, every bucket is full and the penalty is long past', (t) => {
  const ips = new ClientIps({ maxConnections: 5, rate: 1, burst: 1, newRoomRate: 1, newRoomBurst: 1 });
  t.after(() => ips.close());
  const entry = ips.acquire('a');
  const now = Date.now();
  entry.roomBucket.take(now);
  ips.release(entry);
  ips.sweep(now);
  assert.equal(ips.size, 1, 'the room bucket is not full yet');
  ips.sweep(now + 2000);
  assert.equal(ips.size, 0);
  const penalized = ips.acquire('b');
  ips.release(penalized);
  ips.penalize(penalized, now);
  ips.sweep(now + PENALTY_BASE + 1);
  assert.equal(ips.size, 1, 'strikes are remembered for a while after the penalty');
  ips.sweep(now + PENALTY_BASE + 11 * 60_000);
  assert.equal(ips.size, 0);
});
