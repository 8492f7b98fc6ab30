import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { chooseRepresentation, encodeFile, etagMatches } from './encoded-file.js';

const text = Buffer.from('export const comments = ["好!", "wow"];\n'.repeat(200));

test('a text file gets brotli and gzip forms that decompress to it, each with its own ETag', async () => {
  const file = await encodeFile(text, true);
  assert.equal(file.varies, true);
  const br = file.forms.get('br')!;
  const gz = file.forms.get('gzip')!;
  const identity = file.forms.get('identity')!;
  assert.deepEqual(brotliDecompressSync(br.body), text);
  assert.deepEqual(gunzipSync(gz.body), text);
  assert.deepEqual(identity.body, text);
  assert.ok(br.body.length < text.length && gz.body.length < text.length);
  assert.equal(new Set([br.etag, gz.etag, identity.etag]).size, 3);
  for (const { etag } of [br, gz, identity]) assert.match(etag, /^"[\w-]+"$/);
});

test('the ETag follows the content', async () => {
  const a = await encodeFile(text, true);
  const b = await encodeFile(Buffer.from('other'), true);
  const again = await encodeFile(Buffer.from(text), true);
  assert.notEqual(a.forms.get('identity')!.etag, b.forms.get('identity')!.etag);
  assert.equal(a.forms.get('identity')!.etag, again.forms.get('identity')!.etag);
});

test('binary files and files that compression would grow have one form and do not vary', async () => {
  const image = await encodeFile(text, false);
  assert.equal(image.varies, false);
  assert.deepEqual([...image.forms.keys()], ['identity']);
  const tiny = await encodeFile(Buffer.from('x'), true);
  assert.equal(tiny.varies, false);
  assert.equal(chooseRepresentation(tiny, 'br, gzip').encoding, 'identity');
});

test('Accept-Encoding picks the highest q-value, brotli before gzip before identity on a tie', async () => {
  const file = await encodeFile(text, true);
  const pick = (header: string | undefined): string => chooseRepresentation(file, header).encoding;
  assert.equal(pick(undefined), 'identity', 'no header: identity only');
  assert.equal(pick(''), 'identity');
  assert.equal(pick('gzip, deflate, br, zstd'), 'br', "Chromium's header");
  assert.equal(pick('gzip, deflate'), 'gzip');
  assert.equal(pick('br;q=0.1, gzip;q=0.9'), 'gzip');
  assert.equal(pick('BR;Q=1, GZIP'), 'br', 'case does not matter');
  assert.equal(pick('gzip;q=1.0, br;q=0.5, identity;q=0'), 'gzip');
  assert.equal(pick('*'), 'br');
  assert.equal(pick('br;q=0, *'), 'gzip', '* covers what is not named');
  assert.equal(pick('gzip;q=0, br;q=0'), 'identity');
  assert.equal(pick('identity'), 'identity');
  assert.equal(pick('x-gzip'), 'gzip');
  assert.equal(pick('br;q=2'), 'identity', 'an invalid q-value counts as not acceptable');
  assert.equal(pick('br;q=abc, gzip;q=0.2'), 'gzip');
  assert.equal(pick('*;q=0'), 'identity', 'nothing acceptable: identity rather than 406');
  assert.equal(pick(' , ;, br ; q = 0.5 ,'), 'br', 'stray separators and spaces are tolerated');
});

test('If-None-Match matches its tag, weak or strong, in a list, or *', () => {
  assert.equal(etagMatches(undefined, '"a"'), false);
  assert.equal(etagMatches('"a"', '"a"'), true);
  assert.equal(etagMatches('W/"a"', '"a"'), true);
  assert.equal(etagMatches('"b", "a"', '"a"'), true);
  assert.equal(etagMatches('"a-br"', '"a"'), false);
  assert.equal(etagMatches('*', '"a"'), true);
  assert.equal(etagMatches('a', '"a"'), false);
});
