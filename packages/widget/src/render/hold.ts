/**
 * Holding comments under the pointer (layers with `interactive`): a held comment stands still, and
 * so does every comment that would otherwise run into it. Kept apart from `lanes.ts` because only
 * interactive layers need it; the lanes only respect `held` (nothing is placed across a held slot).
 */
import { clash, intersects, type Lanes, type Slot } from './lanes.js';

/**
 * Freezes `slot` at logical time `now` (the pointer rests on it) and every slot that would
 * otherwise run into it or into another frozen one. Returns the slots frozen now.
 */
export function hold(lanes: Lanes, slot: Slot, now: number): Slot[] {
  if (slot.held !== undefined || !lanes.slots.includes(slot)) return [];
  slot.held = now;
  slot.group = slot.id;
  return freeze(lanes, [slot], now);
}

/**
 * Unfreezes the group frozen by {@link hold}(`slot`): its slots go on from where they stopped.
 * Slots that would now run into another frozen group join that group instead. Returns the slots
 * that move again.
 */
export function release(lanes: Lanes, slot: Slot, now: number): Slot[] {
  const group = slot.group;
  if (group === undefined) return [];
  const thawed: Slot[] = [];
  for (const s of lanes.slots) {
    if (s.group !== group || s.held === undefined) continue;
    const pause = now - s.held;
    s.start += pause;
    s.end += pause;
    s.held = undefined;
    s.group = undefined;
    thawed.push(s);
  }
  for (const s of lanes.slots) if (s.held !== undefined) freeze(lanes, [s], now);
  return thawed.filter((s) => s.held === undefined);
}

/** Freezes, transitively, every moving slot that would run into one in `frozen`. */
function freeze(lanes: Lanes, frozen: Slot[], now: number): Slot[] {
  const group = frozen[0].group;
  for (let i = 0; i < frozen.length; i++) {
    const f = frozen[i];
    for (const s of lanes.slots) {
      if (s.held === undefined && s.end > now && intersects(f, s) && clash(f, s, now, lanes.gap)) {
        s.held = now;
        s.group = group;
        frozen.push(s);
      }
    }
  }
  return frozen;
}
