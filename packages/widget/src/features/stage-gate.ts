/**
 * Holds new stages back while something that decides how comments are shown is on its way: the
 * script-tag bundle sets `until` while it fetches `<danmaku-settings>`, so that the viewer's saved
 * choices (hidden modes, area, block list, …) apply before a layer places its first comment.
 * Comments that arrive meanwhile wait, at most `max-queue` of them.
 */
export const stageGate: { until?: Promise<unknown> } = {};
