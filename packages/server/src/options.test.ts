import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveOptions, SERVER_DEFAULTS, type DanmakuServerOptions } from './options.js';
import { createDanmakuServer } from './server.js';

test('defaults are filled in once', () => {
  const settings = resolveOptions({});
  assert.equal(settings.path, '/ws');
  assert.equal(settings.rateLimit, SERVER_DEFAULTS.rateLimit);
  assert.equal(settings.maxPayload, 4096);
  assert.equal(settings.maxBufferedAmount, 256 * 1024);
  assert.equal(resolveOptions({ rateLimit: undefined }).rateLimit, 2);
  assert.equal(settings.retractWindow, 120);
});

const bad: Array<[DanmakuServerOptions, ErrorConstructor, RegExp]> = [
  [{ path: 'ws' }, TypeError, /"path"/],
  [{ maxPayload: 10 }, RangeError, /"maxPayload"/],
  [{ rateLimit: -1 }, RangeError, /"rateLimit"/],
  [{ rateBurst: 0 }, RangeError, /"rateBurst"/],
  [{ ipRateLimit: Number.NaN }, RangeError, /"ipRateLimit"/],
  [{ maxConnectionsPerIp: 1.5 }, RangeError, /"maxConnectionsPerIp"/],
  [{ maxRooms: '10' as unknown as number }, TypeError, /"maxRooms"/],
  [{ maxBufferedAmount: 10 }, RangeError, /"maxBufferedAmount"/],
  [{ readOnly: 'yes' as unknown as boolean }, TypeError, /"readOnly"/],
  [{ logLevel: 'loud' as 'info' }, RangeError, /"logLevel"/],
  [{ blocklist: [42] as unknown as string[] }, TypeError, /"blocklist"/],
  [{ moderate: 'no' as unknown as () => boolean }, TypeError, /"moderate"/],
  [{ allowedOrigins: 'https://a.example' as unknown as string[] }, TypeError, /"allowedOrigins"/],
  [{ retractWindow: -1 }, RangeError, /"retractWindow"/],
  [{ retractWindow: 1.5 }, RangeError, /"retractWindow"/],
  [{ onReport: 'tell me' as unknown as () => void }, TypeError, /"onReport"/],
  [{ moderationStore: {} as never }, TypeError, /"moderationStore"/],
];

for (const [options, type, message] of bad) {
  test(`bad option ${JSON.stringify(options)} throws ${type.name}`, () => {
    assert.throws(
      () => resolveOptions(options),
      (error: Error) => error instanceof type && message.test(error.message),
    );
  });
}

test('createDanmakuServer rejects bad origins and incomplete auth, naming the option', async () => {
  await assert.rejects(createDanmakuServer({ allowedOrigins: ['example.com'], logLevel: 'silent' }), {
    name: 'TypeError',
    message: /"allowedOrigins"/,
  });
  await assert.rejects(createDanmakuServer({ auth: { audience: 'x' }, logLevel: 'silent' }), {
    name: 'TypeError',
    message: /auth\.secret/,
  });
  await assert.rejects(createDanmakuServer({ auth: { secret: 'short', audience: 'x' }, logLevel: 'silent' }), {
    name: 'RangeError',
    message: /"auth\.secret"/,
  });
  await assert.rejects(createDanmakuServer({ auth: { secret: 'x'.repeat(32), audience: '' }, logLevel: 'silent' }), {
    name: 'TypeError',
    message: /"auth\.audience"/,
  });
});
