/**
 * JSX types for React 19: import this module once (`import 'danmaku-layer/react.js'`, or list it in
 * `compilerOptions.types`) and `<danmaku-layer>`, `<danmaku-composer>` and `<danmaku-settings>` type-check in TSX with
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
import type { DanmakuSettings } from './danmaku-settings.component.js';
import type {
  DanmakuComposerAttributes,
  DanmakuComposerEvents,
  DanmakuLayerAttributes,
  DanmakuLayerEvents,
  DanmakuSettingsAttributes,
  DanmakuSettingsEvents,
} from './element-types.js';

/** `on<event-name>` listener props for the events in `M`. */
export type ReactEventProps<M> = { [K in keyof M as `on${K & string}`]?: (event: M[K]) => void };

/**
 * Props of a custom element in React 19 JSX: React's own HTML props, the element's attributes and
 * properties (generated from the Custom Elements Manifest, see `element-types.ts`) and its events.
 */
export type ReactElementProps<E extends HTMLElement, Attributes, Events> = Omit<
  DetailedHTMLProps<HTMLAttributes<E>, E>,
  keyof Attributes
> &
  Attributes &
  ReactEventProps<Events>;

/** Props of `<danmaku-layer>` in React 19 JSX: every attribute, property and event. */
export type DanmakuLayerProps = ReactElementProps<DanmakuLayer, DanmakuLayerAttributes, DanmakuLayerEvents>;

/** Props of `<danmaku-composer>` in React 19 JSX: every attribute, property and event. */
export type DanmakuComposerProps = ReactElementProps<DanmakuComposer, DanmakuComposerAttributes, DanmakuComposerEvents>;

/** Props of `<danmaku-settings>` in React 19 JSX: every attribute, property and event. */
export type DanmakuSettingsProps = ReactElementProps<DanmakuSettings, DanmakuSettingsAttributes, DanmakuSettingsEvents>;

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'danmaku-layer': DanmakuLayerProps;
      'danmaku-composer': DanmakuComposerProps;
      'danmaku-settings': DanmakuSettingsProps;
    }
  }
}
