/**
 * JSX types for React 19: import this module once (`import 'danmaku-layer/react.js'`, or list it in
 * `compilerOptions.types`) and `<danmaku-layer>` and `<danmaku-composer>` type-check in TSX with
 * their properties and events. React 19 sets known properties as properties and turns
 * `on<event-name>` props into listeners, so `ondanmaku-comment={…}` receives the typed event.
 *
 * Types only: the JavaScript module is empty. Register the elements with `import 'danmaku-layer'`.
 *
 * @example
 * import 'danmaku-layer';
 * import type {} from 'danmaku-layer/react.js';
 *
 * <danmaku-layer id="live" src="wss://example.com/ws" room="lobby" ondanmaku-comment={(e) => log(e.detail.comment)}>
 *   <video src="talk.mp4" />
 * </danmaku-layer>
 * <danmaku-composer for="live" />
 */
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { DanmakuLayer } from './danmaku-layer.component.js';
import type { DanmakuComposer } from './danmaku-composer.component.js';
import type { DanmakuComposerEventMap, DanmakuEventMap } from './events.js';

/** `on<event-name>` listener props for the events in `M`. */
export type ReactEventProps<M> = { [K in keyof M as `on${K & string}`]?: (event: M[K]) => void };

/** Props of `<danmaku-layer>` in React 19 JSX. */
export type DanmakuLayerProps = Omit<DetailedHTMLProps<HTMLAttributes<DanmakuLayer>, DanmakuLayer>, 'color'> &
  Partial<Pick<DanmakuLayer, 'src' | 'room' | 'htmlFor' | 'last' | 'speed' | 'fixedDuration' | 'renderer'>> & {
    /** Id of the element to overlay (the `for` attribute). */
    for?: string;
  } & ReactEventProps<DanmakuEventMap>;

/** Props of `<danmaku-composer>` in React 19 JSX. */
export type DanmakuComposerProps = Omit<
  DetailedHTMLProps<HTMLAttributes<DanmakuComposer>, DanmakuComposer>,
  'color' | 'placeholder'
> &
  Partial<
    Pick<DanmakuComposer, 'htmlFor' | 'layer' | 'value' | 'color' | 'mode' | 'size' | 'placeholder' | 'label' | 'disabled'>
  > & {
    /** Id of the `<danmaku-layer>` to send through (the `for` attribute). */
    for?: string;
  } & ReactEventProps<DanmakuComposerEventMap>;

declare module 'react' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      'danmaku-layer': DanmakuLayerProps;
      'danmaku-composer': DanmakuComposerProps;
    }
  }
}
