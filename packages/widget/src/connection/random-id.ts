/**
 * Client ids. A module of its own so that the script-tag build puts it with the sending code that
 * uses it (`outbox.ts`, loaded on the first send).
 */

/** A random id of 16 hex characters. `crypto.randomUUID` needs a secure context; this does not. */
export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
