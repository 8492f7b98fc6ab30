/**
 * Binds the stage to a `<video>`/`<audio>`: the stage pauses, resumes, seeks and follows the
 * playback rate with it, and time-coded comments come out at their media time.
 */
import type { Timed } from './timed-store.js';
import { TimedCursor } from './timed-cursor.js';
import type { ArchiveFeed, ArchiveHost } from './archive-feed.js';

/** What the media drives. */
export interface MediaTarget<T> {
  show(comment: T): void;
  /** Whether the media stopped (paused, ended, seeking or waiting for data). */
  pause(paused: boolean): void;
  rate(rate: number): void;
  /** The media jumped: what is on screen belongs to another time. */
  seek(): void;
}

/** The media element events followed, and the one handler each goes to. */
const EVENTS = ['play', 'playing', 'pause', 'waiting', 'ended', 'seeking', 'seeked', 'ratechange', 'timeupdate'];

/**
 * Follows one media element until {@link MediaSync.detach}.
 *
 * A timer wakes up at the next comment's media time (scaled by the playback rate); `timeupdate`
 * corrects it, so a comment is at most one `timeupdate` (≈250 ms) late if timers drift.
 */
export class MediaSync<T extends Timed> {
  readonly media: HTMLMediaElement;
  readonly #cursor: TimedCursor<T>;
  readonly #target: MediaTarget<T>;
  readonly #timed: readonly T[];
  readonly #host?: ArchiveHost;
  #timer?: ReturnType<typeof setTimeout>;
  #feed?: ArchiveFeed;
  /** The archive the feed reads (see {@link archiveKey}); `undefined`: none. */
  #archive?: string;
  /** Bumped by every change of archive: a feed module that arrives for an older one is not used. */
  #feedGeneration = 0;
  #detached = false;

  /**
   * `timed`: the time-coded comments, sorted by `time` (see `addTimed`). `host`: the layer, whose
   * `archive` (when set) adds the archived comments around the playhead to `timed`; read now and
   * again at each {@link updateArchive}.
   */
  constructor(media: HTMLMediaElement, timed: readonly T[], target: MediaTarget<T>, host?: ArchiveHost) {
    this.media = media;
    this.#timed = timed;
    this.#host = host;
    this.#cursor = new TimedCursor(timed);
    this.#target = target;
    for (const type of EVENTS) media.addEventListener(type, this);
    target.rate(media.playbackRate || 1);
    this.#cursor.seek(media.currentTime);
    target.pause(!this.#playing());
    this.#tick();
    this.updateArchive();
  }

  /**
   * Follows the host's `archive` (and the `src` and `room` an empty one reads from): when it names
   * another archive than the feed reads, the feed's comments go and a feed of the new one starts at
   * once, at the playhead. Cheap when nothing changed (the layer calls it after every update).
   */
  updateArchive(): void {
    const host = this.#host;
    const archive = host ? archiveKey(host) : undefined;
    if (archive === this.#archive || this.#detached) return;
    this.#archive = archive;
    const generation = ++this.#feedGeneration;
    // Closing takes the old archive's comments out of `timed` (and finds the cursor's place again).
    this.#feed?.close();
    this.#feed = undefined;
    if (!host || archive === undefined) return;
    // Only layers with an `archive` fetch the code that reads one.
    import('./archive-feed.js').then(
      ({ ArchiveFeed }) => {
        if (this.#detached || generation !== this.#feedGeneration) return;
        this.#feed = new ArchiveFeed(host, this.media, this.#timed as unknown as Timed[], () => this.reload());
      },
      (error: unknown) =>
        host.dispatchEvent(new CustomEvent('danmaku-error', { detail: { error }, bubbles: true, composed: true })),
    );
  }

  /** Stops following the media. */
  detach(): void {
    for (const type of EVENTS) this.media.removeEventListener(type, this);
    clearTimeout(this.#timer);
    this.#detached = true;
    this.#feed?.close();
  }

  /** Comments were added to the list: finds the place in it again. */
  reload(): void {
    this.#cursor.reseek();
    // What is due may have changed (a window arrived at the playhead): wake the timer for it.
    this.#tick();
  }

  /** Skips every comment due up to now (e.g. those that fell due while the tab was hidden). */
  skip(): void {
    this.#cursor.seek(this.media.currentTime);
    this.#tick();
  }

  /** @internal One listener object for every media event. */
  handleEvent(event: Event): void {
    const media = this.media;
    switch (event.type) {
      case 'seeking':
        this.#target.seek();
        this.#cursor.seek(media.currentTime);
        break;
      case 'ratechange':
        this.#target.rate(media.playbackRate);
        break;
      case 'play':
      case 'timeupdate':
        break;
      default:
        this.#target.pause(!this.#playing());
    }
    this.#tick();
  }

  #playing(): boolean {
    const m = this.media;
    // readyState 3 (HAVE_FUTURE_DATA) or more: not stalled waiting for data.
    return !m.paused && !m.ended && !m.seeking && m.readyState > 2;
  }

  #tick(): void {
    clearTimeout(this.#timer);
    const now = this.media.currentTime;
    if (this.media.seeking) return;
    for (const comment of this.#cursor.take(now)) this.#target.show(comment);
    const next = this.#cursor.peek();
    if (next !== undefined && this.#playing()) {
      const wait = ((next - now) * 1000) / (this.media.playbackRate || 1);
      this.#timer = setTimeout(() => this.#tick(), Math.max(0, wait));
    }
  }
}

/**
 * What names the archive a host reads: its `archive` URL, or (empty) the `src` and `room` the read
 * API's URL is made of; `undefined` without `archive`.
 */
function archiveKey(host: ArchiveHost): string | undefined {
  if (host.archive == null) return undefined;
  return host.archive || `${host.src ?? ''}\n${host.room ?? ''}`;
}
