/**
 * Keeps track of where an element is on screen without reading layout every frame: it listens
 * for the events that can move or resize it (its own resize, scrolling of any ancestor, window
 * resize) and catches layout shifts with an IntersectionObserver whose margins hug the element's
 * current box, so any move changes the intersection and wakes it up.
 */

/** A box in viewport coordinates. */
export interface Box {
  top: number;
  left: number;
  width: number;
  height: number;
}

/**
 * Calls `onBox` with the element's viewport box now and whenever it may have changed.
 * Returns a function that stops following.
 */
function followElement(target: Element, onBox: (box: Box) => void): () => void {
  const win = target.ownerDocument.defaultView ?? window;
  let frame = 0;
  let moveObserver: IntersectionObserver | undefined;

  const measure = (): void => {
    frame = 0;
    const rect = target.getBoundingClientRect();
    onBox({ top: rect.top, left: rect.left, width: rect.width, height: rect.height });
    watchForMoves(rect);
  };
  // Several events in one frame cost one measurement.
  const schedule = (): void => {
    frame ||= win.requestAnimationFrame(measure);
  };

  const watchForMoves = (rect: DOMRect, threshold = 1): void => {
    moveObserver?.disconnect();
    moveObserver = undefined;
    const root = target.ownerDocument.documentElement;
    if (rect.width <= 0 || rect.height <= 0) return;
    const top = Math.floor(rect.top);
    const left = Math.floor(rect.left);
    const right = Math.floor(root.clientWidth - rect.right);
    const bottom = Math.floor(root.clientHeight - rect.bottom);
    // The observer's root box is shrunk to the element's own box: while the element stays put,
    // its intersection ratio stays at `threshold`; any move crosses it and fires the callback.
    const rootMargin = `${-top}px ${-right}px ${-bottom}px ${-left}px`;
    let first = true;
    try {
      moveObserver = new IntersectionObserver(
        (entries) => {
          const ratio = entries[entries.length - 1].intersectionRatio;
          if (!first) {
            schedule();
            return;
          }
          first = false;
          // Partly clipped (or rounded) boxes start below 1: watch for a change from that ratio.
          if (ratio > 0 && Math.abs(ratio - threshold) > 1e-3) watchForMoves(rect, ratio);
        },
        { rootMargin, threshold: Math.min(1, Math.max(0, threshold)) || 1 },
      );
      moveObserver.observe(target);
    } catch {
      // A margin the browser refuses: scrolling and resizing are still followed.
      moveObserver = undefined;
    }
  };

  const resizeObserver = new ResizeObserver(schedule);
  resizeObserver.observe(target);
  // Capture: scrolling any ancestor of the target moves it.
  win.addEventListener('scroll', schedule, { capture: true, passive: true });
  win.addEventListener('resize', schedule, { passive: true });
  measure();

  return () => {
    if (frame) win.cancelAnimationFrame(frame);
    resizeObserver.disconnect();
    moveObserver?.disconnect();
    win.removeEventListener('scroll', schedule, { capture: true });
    win.removeEventListener('resize', schedule);
  };
}

/**
 * Lays `layer` over `target` without moving either in the DOM: the layer takes the target's box on
 * screen (`position: fixed`) and `onResize` hears each box that is not empty. Returns a function
 * that stops following and gives the layer back its own place.
 */
export function overlay(layer: HTMLElement, target: Element, onResize: (box: Box) => void): () => void {
  const stop = followElement(target, (box) => {
    Object.assign(layer.style, {
      position: 'fixed',
      pointerEvents: 'none',
      top: `${box.top}px`,
      left: `${box.left}px`,
      width: `${box.width}px`,
      height: `${box.height}px`,
    });
    if (box.width > 0 || box.height > 0) onResize(box);
  });
  return () => {
    stop();
    for (const name of ['position', 'pointer-events', 'top', 'left', 'width', 'height'])
      layer.style.removeProperty(name);
  };
}
