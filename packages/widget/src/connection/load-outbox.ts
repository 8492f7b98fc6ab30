/**
 * How the sending half of a connection (`outbox.ts`) is fetched: a module of its own so that the
 * composer can fetch it as it appears without pulling in the connection itself.
 */
import { chunk } from '../features/load-chunk.js';

/**
 * Fetches `outbox.ts`, once for every connection on the page: a layer that only shows comments
 * never sends one, and a composer fetches it as it appears.
 */
export const loadOutbox = chunk(() => import('./outbox.js'));
