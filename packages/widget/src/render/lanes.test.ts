import { expect } from '@open-wc/testing';
import { Lanes, clash, xAt, type Slot, type SlotKind } from './lanes.js';
import { hold, release } from './hold.js';

const GAP = 24;
const SPEED = 0.16; // px/ms

/** Whether two slots overlap on screen at time t (boxes, gap not included). */
function overlapAt(a: Slot, b: Slot, t: number, width: number): boolean {
  const live = (s: Slot) => t >= s.start && t < (s.held === undefined ? s.end : Infinity);
  if (!live(a) || !live(b)) return false;
  if (!(a.y < b.y + b.h && b.y < a.y + a.h)) return false;
  const ax = xAt(a, t);
  const bx = xAt(b, t);
  const onScreen = (x: number, w: number) => x < width && x + w > 0;
  if (!onScreen(ax, a.w) || !onScreen(bx, b.w)) return false;
  return ax < bx + b.w && bx < ax + a.w;
}

describe('Lanes', () => {
  it('moves every scroll comment at the same speed whatever its width', () => {
    const lanes = new Lanes(1000, 400, GAP);
    const short = lanes.place({ kind: 'scroll', w: 40, h: 30, speed: SPEED }, 0)!;
    const long = lanes.place({ kind: 'scroll', w: 600, h: 30, speed: SPEED }, 0)!;
    expect(short.v).to.equal(-SPEED);
    expect(long.v).to.equal(-SPEED);
    expect(short.x0).to.equal(1000);
    // It leaves when its right edge passes the left edge of the stage.
    expect(short.end).to.be.closeTo((1000 + 40) / SPEED, 1e-9);
  });

  it('lets a comment into a lane only once the tail ahead has cleared the entry edge by the gap', () => {
    const lanes = new Lanes(1000, 400, GAP);
    const a = lanes.place({ kind: 'scroll', w: 100, h: 30, speed: SPEED }, 0)!;
    expect(a.y).to.equal(0);
    const b = lanes.place({ kind: 'scroll', w: 100, h: 30, speed: SPEED }, 10)!;
    expect(b.y, 'the first lane is busy').to.equal(30);
    const clear = (100 + GAP) / SPEED;
    const c = lanes.place({ kind: 'scroll', w: 100, h: 30, speed: SPEED }, clear - 1)!;
    expect(c.y, 'one ms early').to.equal(60);
    const d = lanes.place({ kind: 'scroll', w: 100, h: 30, speed: SPEED }, clear + 1)!;
    expect(d.y).to.equal(0);
  });

  it('refuses a faster comment that would catch up before the one ahead leaves', () => {
    const lanes = new Lanes(1000, 30, GAP);
    // Slow comment ahead, its tail already far from the entry edge.
    lanes.place({ kind: 'scroll', w: 50, h: 30, speed: 0.1 }, 0);
    expect(lanes.place({ kind: 'scroll', w: 50, h: 30, speed: 0.5 }, 2000), 'would catch up').to.equal(undefined);
    // Slower or equal: no catch-up possible.
    expect(lanes.place({ kind: 'scroll', w: 50, h: 30, speed: 0.1 }, 2000)).to.not.equal(undefined);
  });

  it('packs mixed sizes by pixel interval and checks every intersecting comment', () => {
    const lanes = new Lanes(1000, 100, GAP);
    const small1 = lanes.place({ kind: 'scroll', w: 80, h: 20, speed: SPEED }, 0)!;
    const small2 = lanes.place({ kind: 'scroll', w: 80, h: 20, speed: SPEED }, 0)!;
    expect([small1.y, small2.y]).to.deep.equal([0, 20]);
    // A big one spans both small lanes' pixels; it must clear both, so it goes below.
    const big = lanes.place({ kind: 'scroll', w: 80, h: 45, speed: SPEED }, 0)!;
    expect(big.y).to.equal(40);
    expect(lanes.place({ kind: 'scroll', w: 80, h: 45, speed: SPEED }, 0), 'no 45 px left').to.equal(undefined);
    expect(lanes.place({ kind: 'scroll', w: 80, h: 15, speed: SPEED }, 0)!.y).to.equal(85);
  });

  it('stacks top comments from the top and bottom comments from the bottom, for a fixed time', () => {
    const lanes = new Lanes(1000, 100, GAP);
    const t1 = lanes.place({ kind: 'top', w: 200, h: 30, life: 4000 }, 0)!;
    const t2 = lanes.place({ kind: 'top', w: 200, h: 30, life: 4000 }, 0)!;
    const b1 = lanes.place({ kind: 'bottom', w: 200, h: 30, life: 4000 }, 0)!;
    expect([t1.y, t2.y, b1.y]).to.deep.equal([0, 30, 70]);
    expect(t1.x0).to.equal(400);
    expect(t1.v).to.equal(0);
    expect(lanes.place({ kind: 'top', w: 200, h: 30, life: 4000 }, 1000), 'full').to.equal(undefined);
    expect(lanes.place({ kind: 'top', w: 200, h: 30, life: 4000 }, 4000)!.y, 'expired').to.equal(0);
  });

  it('keeps a scroll comment away from a fixed one it would cross', () => {
    const lanes = new Lanes(1000, 30, GAP);
    lanes.place({ kind: 'top', w: 200, h: 30, life: 4000 }, 0);
    // Entering now it would reach the middle (x = 600 + gap) within 2.5 s: before the top one expires.
    expect(lanes.place({ kind: 'scroll', w: 50, h: 30, speed: SPEED }, 1000)).to.equal(undefined);
    // Entering at 3 s its head reaches 624 px only at 5.35 s: after the top one is gone.
    expect(lanes.place({ kind: 'scroll', w: 50, h: 30, speed: SPEED }, 3000)).to.not.equal(undefined);
  });

  it('limits comments to the height it is given (the area)', () => {
    const lanes = new Lanes(1000, 60, GAP);
    expect(lanes.place({ kind: 'scroll', w: 50, h: 30, speed: SPEED }, 0)!.y).to.equal(0);
    expect(lanes.place({ kind: 'scroll', w: 50, h: 30, speed: SPEED }, 0)!.y).to.equal(30);
    expect(lanes.place({ kind: 'scroll', w: 50, h: 30, speed: SPEED }, 0)).to.equal(undefined);
  });

  it('flies left to right when reversed', () => {
    const lanes = new Lanes(1000, 60, GAP);
    lanes.reverse = true;
    const a = lanes.place({ kind: 'scroll', w: 50, h: 30, speed: SPEED }, 0)!;
    expect(a.x0).to.equal(-50);
    expect(a.v).to.equal(SPEED);
    expect(xAt(a, a.end)).to.be.closeTo(1000, 1e-9);
    expect(lanes.place({ kind: 'scroll', w: 50, h: 30, speed: SPEED }, 10)!.y).to.equal(30);
    expect(lanes.place({ kind: 'scroll', w: 50, h: 30, speed: SPEED }, (50 + GAP) / SPEED)!.y).to.equal(0);
  });

  it('never lets two comments overlap under a random flood of sizes, speeds, modes and resizes', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const lanes = new Lanes(1280, 720, GAP);
    const all: Slot[] = [];
    const kinds: SlotKind[] = ['scroll', 'scroll', 'scroll', 'top', 'bottom'];
    for (let t = 0; t < 20_000; t += 5) {
      if (t % 5000 === 0) lanes.width = 900 + Math.floor(random() * 600);
      const kind = kinds[Math.floor(random() * kinds.length)];
      const w = 20 + Math.floor(random() * 500);
      const h = [25, 33, 47][Math.floor(random() * 3)];
      const duration = random() < 0.5;
      const speed = duration ? (lanes.width + w) / 6000 : 0.16;
      const slot = lanes.place({ kind, w, h, speed, life: 4000 }, t);
      if (slot) all.push(slot);
    }
    expect(all.length).to.be.greaterThan(150);
    let pairs = 0;
    for (let t = 0; t < 20_000; t += 50) {
      const live = all.filter((s) => s.start <= t && s.end > t);
      for (let i = 0; i < live.length; i++) {
        for (let j = i + 1; j < live.length; j++) {
          pairs++;
          expect(overlapAt(live[i], live[j], t, 1500), `t=${t}`).to.equal(false);
        }
      }
    }
    expect(pairs).to.be.greaterThan(10_000);
  });

  it('probes without taking room, and where a comment of width 0 finds none, no wider one does', () => {
    let seed = 11;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const lanes = new Lanes(1280, 720, GAP);
    const kinds: SlotKind[] = ['scroll', 'scroll', 'scroll', 'top', 'bottom'];
    let refused = 0;
    let placed = 0;
    for (let t = 0; t < 20_000; t += 5) {
      lanes.reverse = t > 10_000;
      const kind = kinds[Math.floor(random() * kinds.length)];
      const w = 20 + Math.floor(random() * 500);
      const h = [25, 33, 47][Math.floor(random() * 3)];
      // With a duration, speed grows with width: the probe has the speed of width 0.
      const speedOf = random() < 0.5 ? (width: number) => (lanes.width + width) / 6000 : () => 0.16;
      lanes.prune(t);
      const before = lanes.slots.length;
      const probe = lanes.place({ kind, w: 0, h, speed: speedOf(0), life: 4000 }, t, true);
      expect(lanes.slots.length, 'a probe takes nothing').to.equal(before);
      const slot = lanes.place({ kind, w, h, speed: speedOf(w), life: 4000 }, t);
      if (!probe) {
        refused++;
        expect(slot, `t=${t}: the probe found no room, yet a comment ${w} px wide did`).to.equal(undefined);
      } else if (slot) placed++;
    }
    expect(refused, 'the stage was full at times').to.be.greaterThan(500);
    expect(placed).to.be.greaterThan(150);
  });

  it('freezes a hovered comment and what would run into it, and places nothing across it', () => {
    const lanes = new Lanes(1000, 30, GAP);
    const a = lanes.place({ kind: 'scroll', w: 100, h: 30, speed: SPEED }, 0)!;
    const b = lanes.place({ kind: 'scroll', w: 100, h: 30, speed: SPEED }, 1000)!;
    const held = hold(lanes, a, 2000);
    expect(held).to.have.members([a, b]);
    expect(xAt(a, 5000)).to.equal(xAt(a, 2000));
    expect(lanes.place({ kind: 'scroll', w: 10, h: 30, speed: SPEED }, 60_000), 'blocked while held').to.equal(
      undefined,
    );
    expect(release(lanes, a, 3000)).to.have.members([a, b]);
    expect(xAt(a, 3000)).to.be.closeTo(1000 - SPEED * 2000, 1e-9);
    expect(a.end).to.be.closeTo((1000 + 100) / SPEED + 1000, 1e-9);
    expect(clash(a, b, 3000, GAP)).to.equal(false);
  });

  it('widens a comment only when the wider box still clears its neighbours', () => {
    const lanes = new Lanes(1000, 30, GAP);
    const a = lanes.place({ kind: 'scroll', w: 100, h: 30, speed: SPEED }, 0)!;
    const clear = (100 + GAP) / SPEED;
    lanes.place({ kind: 'scroll', w: 100, h: 30, speed: SPEED }, clear);
    expect(lanes.widen(a, 150, clear)).to.equal(false);
    expect(a.w).to.equal(100);
    expect(lanes.widen(a, 100.5, clear - 10)).to.equal(false);
    const lone = new Lanes(1000, 30, GAP);
    const c = lone.place({ kind: 'scroll', w: 100, h: 30, speed: SPEED }, 0)!;
    expect(lone.widen(c, 150, 100)).to.equal(true);
    expect(c.end).to.be.closeTo((1000 + 150) / SPEED, 1e-9);
  });
});
