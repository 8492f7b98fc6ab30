/// <reference types="node" />
/**
 * Moderation requests (client → server) and the room events they cause (server → client): what is
 * accepted, what every malformed request is answered with, and what a client reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CommentMode,
  ErrorCode,
  MODERATION_LIMITS,
  isComment,
  parseClientMessage,
  parseServerMessage,
} from './index.js';

const parse = (message: unknown) => parseClientMessage(JSON.stringify(message));
const code = (message: unknown) => {
  const result = parse(message);
  return result.ok ? 'ok' : result.error.code;
};

void test('valid moderation requests come out as sent, with defaults left out', () => {
  assert.deepEqual(parse({ type: 'retract', id: 'r1', seq: 7 }), {
    ok: true,
    value: { type: 'retract', id: 'r1', seq: 7 },
  });
  assert.deepEqual(parse({ type: 'mute', id: 'm1', user: 'u-1', duration: 600 }), {
    ok: true,
    value: { type: 'mute', id: 'm1', user: 'u-1', duration: 600 },
  });
  assert.deepEqual(parse({ type: 'mute', id: 'm2', seq: 3, duration: 60, everywhere: true }), {
    ok: true,
    value: { type: 'mute', id: 'm2', seq: 3, duration: 60, everywhere: true },
  });
  assert.deepEqual(parse({ type: 'unmute', id: 'm3', user: 'u-1' }), {
    ok: true,
    value: { type: 'unmute', id: 'm3', user: 'u-1' },
  });
  assert.deepEqual(parse({ type: 'slow_mode', id: 's', interval: 0 }), {
    ok: true,
    value: { type: 'slow_mode', id: 's', interval: 0 },
  });
  assert.deepEqual(parse({ type: 'clear', id: 'c' }), { ok: true, value: { type: 'clear', id: 'c' } });
});

void test('a report reason is sanitised and cut; an empty one is left out', () => {
  const long = parse({ type: 'report', id: 'p', seq: 2, reason: 'spam\u202e '.repeat(100) });
  assert.ok(long.ok && long.value.type === 'report');
  assert.ok([...(long.value.reason ?? '')].length <= MODERATION_LIMITS.maxReasonLength);
  assert.ok(!long.value.reason?.includes('\u202e'));
  assert.deepEqual(parse({ type: 'report', id: 'p', seq: 2, reason: '\u200b ' }), {
    ok: true,
    value: { type: 'report', id: 'p', seq: 2 },
  });
});

void test('malformed moderation requests get `invalid`, with the request id when it was readable', () => {
  for (const message of [
    { type: 'retract', seq: 1 },
    { type: 'retract', id: 'a b', seq: 1 },
    { type: 'retract', id: 'r', seq: 0 },
    { type: 'retract', id: 'r', seq: 1.5 },
    { type: 'retract', id: 'r', seq: '3' },
    { type: 'report', id: 'r', seq: 1, reason: 5 },
    { type: 'mute', id: 'm', duration: 60 },
    { type: 'mute', id: 'm', user: 'u', seq: 1, duration: 60 },
    { type: 'mute', id: 'm', user: '', duration: 60 },
    { type: 'mute', id: 'm', user: 'u', duration: 0 },
    { type: 'mute', id: 'm', user: 'u', duration: MODERATION_LIMITS.maxMuteSeconds + 1 },
    { type: 'mute', id: 'm', user: 'u', duration: 60, everywhere: 'yes' },
    { type: 'unmute', id: 'm', seq: -1 },
    { type: 'slow_mode', id: 's', interval: -1 },
    { type: 'slow_mode', id: 's', interval: MODERATION_LIMITS.maxSlowModeSeconds + 1 },
    { type: 'slow_mode', id: 's' },
    { type: 'clear' },
  ]) {
    assert.equal(code(message), ErrorCode.Invalid, JSON.stringify(message));
  }
  const answered = parse({ type: 'retract', id: 'r9', seq: -2 });
  assert.ok(!answered.ok && answered.error.id === 'r9');
});

void test('a client reads room events and acknowledgements with or without a seq', () => {
  assert.deepEqual(parseServerMessage('{"type":"retract","seqs":[4,"x",5]}'), { type: 'retract', seqs: [4, 5] });
  assert.deepEqual(parseServerMessage('{"type":"clear","seq":12}'), { type: 'clear', seq: 12 });
  assert.deepEqual(parseServerMessage('{"type":"slow_mode","interval":10}'), { type: 'slow_mode', interval: 10 });
  assert.deepEqual(parseServerMessage('{"type":"presence","viewers":3}'), { type: 'presence', viewers: 3 });
  assert.deepEqual(parseServerMessage('{"type":"ack","id":"m1"}'), { type: 'ack', id: 'm1' });
  for (const frame of [
    '{"type":"retract","seqs":4}',
    '{"type":"clear"}',
    '{"type":"slow_mode","interval":"10"}',
    '{"type":"presence","viewers":"many"}',
    '{"type":"ack","id":"m1","seq":"1"}',
  ]) {
    assert.equal(parseServerMessage(frame), undefined, frame);
  }
});

void test('a comment from a server may have every mode, and no other', () => {
  for (const mode of Object.values(CommentMode)) {
    assert.ok(isComment({ seq: 1, text: 'a', color: '#ffffff', mode }), mode);
  }
  assert.equal(isComment({ seq: 1, text: 'a', color: '#ffffff', mode: 'sideways' }), false);
});
