/// <reference types="node" />
/**
 * The sanitiser of broadcast text: what is removed, what is kept, and where cuts fall.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cutText, normalizeAuthor, normalizeText, parseClientMessage, sanitizeText, textLength } from './index.js';

const send = (text: string) => parseClientMessage(JSON.stringify({ type: 'send', id: 'a', text }));

void test('invisible-only text is empty: zero-width, word joiner, fillers, braille blank, tags, bidi marks', () => {
  for (const text of [
    '\u200b',
    '\u2060',
    '\u3164',
    '\u115f\u1160',
    '\uffa0',
    '\u2800',
    '\u{e0041}\u{e0042}\u{e007f}',
    '\u200e\u200f',
    '\u061c',
    '\u206a\u206f',
    '\u00ad',
    '\ufeff',
    '\u034f',
    '\ufe0f',
    '\u0301',
    ' \u200b \u2800 \u3164 ',
  ]) {
    assert.equal(sanitizeText(text), '', JSON.stringify(text));
    const result = send(text);
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.error.code, 'empty', JSON.stringify(text));
  }
});

void test('every bidi control and format character is stripped from visible text', () => {
  const controls = [
    '\u061c',
    '\u200e',
    '\u200f',
    '\u202a',
    '\u202b',
    '\u202c',
    '\u202d',
    '\u202e',
    '\u2066',
    '\u2067',
    '\u2068',
    '\u2069',
    '\u206a',
    '\u206b',
    '\u206c',
    '\u206d',
    '\u206e',
    '\u206f',
    '\u200b',
    '\u2060',
    '\u{e0001}',
    '\u{e0020}',
    '\u{e007f}',
    '\u0000',
    '\u0007',
    '\u007f',
    '\u0085',
  ];
  for (const c of controls) assert.equal(sanitizeText(`a${c}b`), 'ab', `U+${c.codePointAt(0)!.toString(16)}`);
  assert.equal(normalizeText('  a\u202Eb\u0000c \n\t d  '), 'abc d');
});

void test('plain text (ASCII, kana, CJK ideographs, Arabic letters, emoji) comes out as the full Unicode passes would leave it', () => {
  assert.equal(normalizeText('  前方  高能 gg  '), '前方 高能 gg');
  assert.equal(normalizeText('かわいい'), 'かわいい');
  assert.equal(normalizeText(' مرحبا  رائع ❤\ufe0f 👩\u200d💻 🇯🇵 '), 'مرحبا رائع ❤\ufe0f 👩\u200d💻 🇯🇵');
  // The quick path's claim, code point by code point: nothing to strip (the emoji variation
  // selector, the joiner and unassigned code points are kept), nothing NFC changes, and nothing
  // combines with what precedes it.
  const ranges = [
    [0x20, 0x7e],
    [0x3041, 0x3096],
    [0x309b, 0x30ff],
    [0x4e00, 0x9fff],
    [0x0621, 0x063a],
    [0x0641, 0x064a],
    [0x2600, 0x27bf],
    [0xfe0f, 0xfe0f],
    [0x200d, 0x200d],
    [0x1f1e6, 0x1f1ff],
    [0x1f300, 0x1faff],
  ];
  // What can compose with a preceding character: every code point after the first of a canonical
  // decomposition (all of which lie below U+30000).
  const composing = new Set<number>();
  for (let cp = 0; cp < 0x30000; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    for (const c of [...String.fromCodePoint(cp).normalize('NFD')].slice(1)) composing.add(c.codePointAt(0)!);
  }
  for (const [from, to] of ranges) {
    for (let cp = from; cp <= to; cp++) {
      const c = String.fromCodePoint(cp);
      const at = `U+${cp.toString(16)}`;
      if (cp !== 0x20 && cp !== 0xfe0f && cp !== 0x200d) assert.ok(!/[^\P{C}\p{Cn}]|[\p{DI}\p{M}\s]/u.test(c), at);
      assert.equal(c.normalize('NFC'), c, at);
      assert.ok(!composing.has(cp) && !composing.has(c.normalize('NFD').codePointAt(0)!), at);
    }
  }
  // Outside it, the full passes still run.
  assert.equal(normalizeText('か\u3099'), '\u304c');
  assert.equal(normalizeText('\u0627\u0654'), '\u0623');
  assert.equal(normalizeText('a\u3000\u3000b\u200b'), 'a b');
});

void test('lone surrogates are removed; pairs are kept', () => {
  assert.equal(sanitizeText('x\ud800y\udc00z'), 'xyz');
  assert.equal(sanitizeText('\ud83d'), '');
  assert.equal(sanitizeText('😀'), '😀');
  const result = send('ok\udfff');
  assert.ok(result.ok && result.value.type === 'send' && result.value.text === 'ok');
});

void test('emoji ZWJ sequences and variation selectors keep working; stray joiners go', () => {
  for (const emoji of [
    '👩\u200d💻',
    '🏳\ufe0f\u200d🌈',
    '🧑🏽\u200d💻',
    '👨\u200d👩\u200d👧\u200d👦',
    '❤\ufe0f',
    '🏴\u200d☠\ufe0f',
  ]) {
    assert.equal(sanitizeText(`go ${emoji}!`), `go ${emoji}!`, emoji);
  }
  assert.equal(sanitizeText('a\u200db'), 'ab');
  assert.equal(sanitizeText('\u200d👩'), '👩');
  assert.equal(sanitizeText('👩\u200d\u200d💻'), '👩💻');
  assert.equal(sanitizeText('❤\ufe0f\ufe0f\ufe0f\u{e0100}'), '❤\ufe0f', 'one variation selector after a character');
  assert.equal(
    sanitizeText('\u{e0100}a \ufe0fb\u0301\ufe0e'),
    'a b\u0301',
    'none at the start, after a space or after a mark',
  );
  assert.equal(sanitizeText('#\ufe0f\u20e3'), '#\ufe0f\u20e3', 'keycap');
  assert.equal(sanitizeText('\u200d\ufe0f a'), 'a', 'not after a joiner that goes');
  assert.equal(sanitizeText('\u2800\ufe0fa'), 'a', 'not after a blank');
  // Joiners that shape Persian and Devanagari words stay.
  assert.equal(sanitizeText('می\u200cخواهم'), 'می\u200cخواهم');
  assert.equal(sanitizeText('क्\u200dष'), 'क्\u200dष');
});

void test('NFC after stripping brings a letter and its mark together', () => {
  assert.equal(sanitizeText('e\u200b\u0301'), '\u00e9');
});

void test('cuts never split a code point or an emoji sequence', () => {
  const cut = cutText('😀'.repeat(70), 64);
  assert.equal(textLength(cut), 64);
  assert.equal(cut, '😀'.repeat(64));
  assert.equal(cutText('ab👩\u200d💻', 3), 'ab');
  assert.equal(cutText('a' + '\u0301'.repeat(200), 10).length, 10, 'a piled-up cluster is cut by code point');
  const wellFormed = (s: string): boolean => !/\p{Cs}/u.test(s);
  for (let n = 1; n < 20; n++) assert.ok(wellFormed(cutText('x😀'.repeat(20), n)), `cut at ${n}`);
});

void test('authors are sanitised: bidi, NUL and BEL removed, names cut, an invisible id refused', () => {
  assert.deepEqual(normalizeAuthor({ id: '\u202euser-1\u0000', name: '\u202e\u0007Bob\u200b\u2066' }), {
    id: 'user-1',
    name: 'Bob',
  });
  assert.deepEqual(normalizeAuthor({ id: 'u', name: '\u200b\u3164' }), { id: 'u' });
  assert.equal(normalizeAuthor({ id: '\u200b\u2060' }), undefined);
  const long = normalizeAuthor({ id: 'u', name: '😀'.repeat(63) + 'ab' });
  assert.equal(long?.name, '😀'.repeat(63) + 'a');
});

void test('sanitising twice changes nothing, for 20,000 mixes of visible and invisible characters', () => {
  const parts = [
    'a',
    '😀',
    '👩',
    '💻',
    'ش',
    'क',
    ' ',
    '\u0301',
    '\u200b',
    '\u200c',
    '\u200d',
    '\u2060',
    '\u3164',
    '\u2800',
    '\u00ad',
    '\ufeff',
    '\u061c',
    '\u202e',
    '\u2066',
    '\u206f',
    '\u{e0041}',
    '\ufe0f',
    '\u{e0100}',
    '\ud800',
    '\udc00',
    '\u0000',
  ];
  let seed = 42;
  const next = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
  for (let i = 0; i < 20_000; i++) {
    const text = Array.from({ length: 1 + next(40) }, () => parts[next(parts.length)]).join('');
    const once = sanitizeText(text);
    assert.equal(sanitizeText(once), once, JSON.stringify(text));
    assert.ok(!/\p{Cs}|[^\P{Cf}\u200c\u200d]/u.test(once), JSON.stringify(text));
    assert.equal(once, once.normalize('NFC'));
  }
});
