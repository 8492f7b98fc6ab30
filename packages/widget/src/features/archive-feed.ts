/**
 * Plays a room's archive on the media timeline: the comments around the playhead are fetched from
 * the server's read API (`GET /rooms/:room/comments?from=&to=`) in windows, ahead of the playhead
 * while it plays and anew after a seek, and put among the layer's time-coded comments, where the
 * media sync shows them at their time. Never the whole archive: the comments held are those of a
 * few windows around the playhead, whatever the archive's size. Loaded with `media-sync.ts`, only
 * by a layer that has both `media` and `archive`.
 */
import type { Comment } from 'danmaku-layer-protocol';
import { DanmakuError } from '../connection/danmaku-error.js';
import { ErrorCode } from '../protocol.js';
import type { Timed } from './timed-store.js';

/** What the feed reads from its layer. */
export interface ArchiveHost extends HTMLElement {
  /** The read API's URL, or `''` for the one of the server `src` names. */
  archive?: string | null;
  src?: string;
  room?: string;
}

/** Seconds of media time fetched at once. */
export const WINDOW = 30;
/** Seconds behind the playhead a comment is kept (a short seek back finds it still there). */
const KEEP_BEHIND = 10;
/** Most comments asked for per request, and most requests per window (a very busy window is thinned). */
const PAGE = 1000;
const PAGES_PER_WINDOW = 4;
/** Wait before a failed fetch is tried again, in ms. */
const RETRY = 5000;

/**
 * The read API URL of a layer: `archive` itself when it is a URL, else the `/rooms/ROOM/comments`
 * of the server `src` names (its `ws:`/`wss:` becomes `http:`/`https:`).
 */
export function archiveUrl(host: ArchiveHost): URL {
  if (host.archive) return new URL(host.archive, document.baseURI);
  const url = new URL(host.src || '/', document.baseURI);
  url.protocol = url.protocol === 'wss:' ? 'https:' : url.protocol === 'ws:' ? 'http:' : url.protocol;
  url.pathname = `/rooms/${encodeURIComponent(host.room ?? 'lobby')}/comments`;
  url.search = '';
  return url;
}

/**
 * Follows one media element and keeps the archived comments of the windows around its playhead in
 * `timed` (the layer's sorted list of time-coded comments), calling `changed` after each change so
 * that the play cursor finds its place again.
 */
export class ArchiveFeed {
  readonly #host: ArchiveHost;
  readonly #media: HTMLMediaElement;
  readonly #timed: Timed[];
  readonly #changed: () => void;
  /** The comments this feed put in `timed`, by id: live comments and `load()`'s stay untouched. */
  readonly #held = new Map<string, Timed>();
  /** Media time covered from `#from` to `#to` (exclusive): fetched, or being fetched. */
  #from = 0;
  #to = 0;
  /** Bumped by every seek outside what is held: answers for an older generation are dropped. */
  #generation = 0;
  #loading = false;
  #retryAt = 0;
  #abort = new AbortController();

  constructor(host: ArchiveHost, media: HTMLMediaElement, timed: Timed[], changed: () => void) {
    this.#host = host;
    this.#media = media;
    this.#timed = timed;
    this.#changed = changed;
    for (const type of ['seeking', 'timeupdate', 'play']) media.addEventListener(type, this);
    this.#jump();
  }

  /** Stops fetching and takes this feed's comments out of `timed`. */
  close(): void {
    for (const type of ['seeking', 'timeupdate', 'play']) this.#media.removeEventListener(type, this);
    // An answer already read (past the abort's reach) is dropped too, not added after the close.
    this.#generation++;
    this.#abort.abort();
    this.#evict(() => true);
  }

  /** @internal One listener object for every media event. */
  handleEvent(event: Event): void {
    const now = this.#media.currentTime;
    if (event.type === 'seeking' && (now < this.#from || now >= this.#to)) return this.#jump();
    // Behind the playhead: no longer needed, unless the viewer seeks back a little.
    this.#evict((c) => c.time! < now - KEEP_BEHIND);
    this.#from = Math.max(this.#from, now - KEEP_BEHIND);
    // Ahead: the next window is fetched while half of this one is left to play.
    if (this.#to - now < WINDOW / 2) void this.#fetch(this.#to, this.#to + WINDOW);
  }

  /** A seek far away (or the start): drop what is held and fetch the window at the playhead. */
  #jump(): void {
    this.#generation++;
    this.#abort.abort();
    this.#abort = new AbortController();
    this.#loading = false;
    this.#evict(() => true);
    const now = Math.max(0, this.#media.currentTime || 0);
    this.#from = this.#to = now;
    void this.#fetch(now, now + WINDOW);
  }

  async #fetch(from: number, to: number): Promise<void> {
    if (this.#loading || Date.now() < this.#retryAt) return;
    this.#loading = true;
    const generation = this.#generation;
    const signal = this.#abort.signal;
    try {
      const base = archiveUrl(this.#host);
      let after = '';
      for (let page = 0; page < PAGES_PER_WINDOW; page++) {
        const url = new URL(base);
        url.searchParams.set('from', String(from));
        url.searchParams.set('to', String(to));
        url.searchParams.set('limit', String(PAGE));
        if (after) url.searchParams.set('after', after);
        const response = await fetch(url, { signal });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const body = (await response.json()) as { comments?: Comment[]; next?: string };
        if (generation !== this.#generation) return;
        this.#add(Array.isArray(body.comments) ? body.comments : []);
        if (!body.next) break;
        after = body.next;
      }
      this.#to = Math.max(this.#to, to);
    } catch (error) {
      if (generation !== this.#generation || signal.aborted) return;
      this.#retryAt = Date.now() + RETRY;
      const detail = {
        error: new DanmakuError(
          ErrorCode.LoadFailed,
          `The archive at ${String(archiveUrl(this.#host))} could not be read: ${String(error)}`,
        ),
      };
      this.#host.dispatchEvent(new CustomEvent('danmaku-error', { detail, bubbles: true, composed: true }));
    } finally {
      if (generation === this.#generation) this.#loading = false;
    }
  }

  #add(comments: Comment[]): void {
    const fresh: Timed[] = [];
    for (const comment of comments) {
      // Windows meet at their edges, and a live comment may be archived meanwhile: each id once.
      if (typeof comment.time !== 'number' || typeof comment.text !== 'string' || this.#held.has(comment.id)) continue;
      this.#held.set(comment.id, comment);
      fresh.push(comment);
    }
    if (fresh.length === 0) return;
    // Sorted by time as the play cursor expects (a stable sort: equal times keep their order).
    this.#timed.push(...fresh);
    this.#timed.sort((a, b) => a.time! - b.time!);
    this.#changed();
  }

  /** Takes this feed's comments that `drop` selects out of `timed`, in place (the play cursor shares the array). */
  #evict(drop: (comment: Timed) => boolean): void {
    if (this.#held.size === 0) return;
    let kept = 0;
    let removed = false;
    for (const comment of this.#timed) {
      const id = (comment as { id?: string }).id;
      if (id !== undefined && this.#held.get(id) === comment && drop(comment)) {
        this.#held.delete(id);
        removed = true;
      } else this.#timed[kept++] = comment;
    }
    this.#timed.length = kept;
    if (removed) this.#changed();
  }
}
