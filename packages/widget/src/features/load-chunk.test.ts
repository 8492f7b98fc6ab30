import { expect } from '@open-wc/testing';
import { chunk } from './load-chunk.js';
import { DanmakuError } from '../connection/danmaku-error.js';

describe('chunk()', () => {
  it('fetches once for every caller', async () => {
    let calls = 0;
    const load = chunk(() => Promise.resolve(++calls));
    expect(await Promise.all([load(), load()])).to.deep.equal([1, 1]);
    expect(await load()).to.equal(1);
    expect(calls).to.equal(1);
  });

  it('tries a failed fetch once more', async () => {
    let calls = 0;
    const load = chunk(() => (++calls === 1 ? Promise.reject(new TypeError('network')) : Promise.resolve('there')));
    expect(await load()).to.equal('there');
    expect(calls).to.equal(2);
  });

  it('after two failures rejects with load_failed naming the URL and what to host, and keeps no rejection', async () => {
    let calls = 0;
    const url = `${location.origin}/nowhere/chunk-${Date.now()}.js`;
    const load = chunk(() => {
      calls++;
      return import(/* @vite-ignore */ url);
    });
    const error = await load().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(DanmakuError);
    const failure = error as DanmakuError;
    expect(failure.code).to.equal('load_failed');
    expect(failure.message).to.include(url);
    expect(failure.message).to.include('dist/');
    expect(failure.message).to.include('danmaku-layer.standalone.js');
    expect(calls).to.equal(2);
    await load().catch(() => undefined);
    expect(calls, 'the next call fetches again').to.equal(4);
  });
});
