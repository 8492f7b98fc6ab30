import { expect } from '@open-wc/testing';
import { Clock } from './clock.js';
import { addTimed } from '../features/timed-store.js';
import { TimedCursor } from '../features/timed-cursor.js';
import { isBlocked, Thinner } from '../features/filter.js';

describe('Clock', () => {
  it('stops while paused, follows the rate, and maps logical time back to wall time', () => {
    let wall = 1000;
    const clock = new Clock(() => wall);
    wall += 500;
    expect(clock.now()).to.equal(500);
    clock.paused = true;
    wall += 10_000;
    expect(clock.now()).to.equal(500);
    clock.paused = false;
    clock.rate = 2;
    wall += 100;
    expect(clock.now()).to.equal(700);
    // Logical 700 is now; logical 900 is 100 wall ms later at rate 2.
    expect(clock.wallOf(900)).to.equal(wall + 100);
    clock.rate = 0;
    expect(clock.rate, 'a rate of 0 is ignored').to.equal(2);
  });
});

describe('time-coded comments', () => {
  it('are kept sorted and bounded, and handed out in time order once each, with seeks', () => {
    const list: { time?: number; text: string }[] = [];
    const ignored = addTimed(
      list,
      [
        { time: 5, text: 'e' },
        { time: 1, text: 'a' },
        { text: 'untimed' },
        { time: 2, text: 'b' },
        { time: 9, text: 'late' },
      ],
      3,
    );
    expect(ignored, 'untimed and over the limit').to.equal(2);
    expect(list.map((c) => c.text)).to.deep.equal(['a', 'b', 'e']);
    const cursor = new TimedCursor(list);
    expect(cursor.take(1.5).map((c) => c.text)).to.deep.equal(['a']);
    expect(cursor.take(1.6)).to.deep.equal([]);
    expect(cursor.peek()).to.equal(2);
    expect(cursor.take(10).map((c) => c.text)).to.deep.equal(['b', 'e']);
    cursor.seek(2);
    expect(cursor.take(2).map((c) => c.text)).to.deep.equal(['b']);
    cursor.seek(0);
    expect(cursor.take(100)).to.have.length(3);
    // Comments added while playing: the cursor finds its place again, past what it handed out.
    cursor.seek(0);
    expect(cursor.take(1.2).map((c) => c.text)).to.deep.equal(['a']);
    expect(
      addTimed(
        list,
        [
          { time: 1.5, text: 'a2' },
          { time: -1, text: 'bad' },
        ],
        5,
      ),
    ).to.equal(1);
    cursor.reseek();
    expect(cursor.take(2).map((c) => c.text)).to.deep.equal(['a2', 'b']);
  });
});

describe('filter', () => {
  it('matches keywords ignoring case and regular expressions, even /g ones', () => {
    const rules = ['Spoiler', /\bfoo\d+/g];
    expect(isBlocked('big SPOILER ahead', rules)).to.equal(true);
    expect(isBlocked('foo12', rules)).to.equal(true);
    expect(isBlocked('foo12', rules), 'lastIndex does not carry over').to.equal(true);
    expect(isBlocked('fine', rules)).to.equal(false);
    expect(isBlocked('anything', [''])).to.equal(false);
  });

  it('thins a stream evenly', () => {
    const thin = new Thinner();
    const passed = Array.from({ length: 100 }, () => thin.pass(0.25)).filter(Boolean).length;
    expect(passed).to.equal(25);
  });
});
