/**
 * Test fixture, preloaded into the server process with `node --import <this file's URL>`: on
 * SIGUSR2 it makes the process fail the way a bug would, with an exception nothing catches
 * (default) or, with `?how=reject` on the URL, a promise rejection nothing handles. Nothing in the
 * server knows about it.
 */
const how = new URL(import.meta.url).searchParams.get('how') ?? 'throw';

process.on('SIGUSR2', () => {
  setTimeout(() => {
    if (how === 'reject') void Promise.reject(new Error('injected rejection'));
    else throw new Error('injected failure');
  }, 0);
});

export {};
