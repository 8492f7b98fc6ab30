// The protocol module runs in browsers too; these checks run in Chromium under web-test-runner.
import { expect } from '@open-wc/testing';
import { ErrorCode, normalizeText, parseClientMessage, parseServerMessage, textLength } from './protocol.js';

describe('protocol', () => {
  it('normalises text: NFC, control and bidi characters removed, white space collapsed', () => {
    expect(normalizeText('  a\u202Eb\u0000c \n\t d  ')).to.equal('abc d');
    expect(normalizeText('e\u0301')).to.equal('\u00e9');
  });

  it('counts code points, not UTF-16 units', () => {
    expect(textLength('😀😀')).to.equal(2);
  });

  it('accepts a valid send and fills in defaults', () => {
    const result = parseClientMessage('{"type":"send","id":"x1","text":" hi "}');
    expect(result).to.deep.equal({
      ok: true,
      value: { type: 'send', id: 'x1', text: 'hi', color: '#ffffff', mode: 'scroll', size: 'medium' },
    });
  });

  it('rejects bad input with typed errors', () => {
    const code = (data: string) => {
      const r = parseClientMessage(data);
      return r.ok ? 'ok' : r.error.code;
    };
    expect(code('{')).to.equal(ErrorCode.BadJson);
    expect(code('[]')).to.equal(ErrorCode.Invalid);
    expect(code('{"type":"nope"}')).to.equal(ErrorCode.Invalid);
    expect(code('{"type":"send","id":"a","text":"   "}')).to.equal(ErrorCode.Empty);
    expect(code(`{"type":"send","id":"a","text":"${'x'.repeat(101)}"}`)).to.equal(ErrorCode.TooLong);
    expect(code('{"type":"send","id":"a","text":"x","color":"red"}')).to.equal(ErrorCode.Invalid);
    expect(code('{"type":"send","id":"a","text":"x","mode":"diagonal"}')).to.equal(ErrorCode.Invalid);
    expect(code('{"type":"send","id":"a b","text":"x"}')).to.equal(ErrorCode.Invalid);
  });

  it('ignores server frames it does not understand', () => {
    expect(parseServerMessage('nope')).to.equal(undefined);
    expect(parseServerMessage('{"type":"future"}')).to.equal(undefined);
    const parsed = parseServerMessage(
      '{"type":"comments","comments":[{"seq":1,"text":"a","color":"#fff","mode":"scroll"},{"bad":1}]}',
    );
    expect(parsed?.type === 'comments' && parsed.comments.length).to.equal(1);
  });
});
