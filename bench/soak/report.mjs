/**
 * The soak's report: a table of the samples and a summary of what must stay flat.
 */
const mib = (bytes) => (bytes === undefined ? '–' : (bytes / 2 ** 20).toFixed(1));

/** Median of the numbers that are defined. */
function median(values) {
  const sorted = values.filter((v) => v !== undefined).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : undefined;
}

/**
 * First and last thirds of the run compared by their medians: a leak shows as a last third above
 * the first, whatever the noise of a single sample.
 */
function drift(samples, key) {
  const third = Math.max(1, Math.floor(samples.length / 3));
  return {
    first: median(samples.slice(0, third).map((s) => s[key])),
    last: median(samples.slice(-third).map((s) => s[key])),
  };
}

/** The report as Markdown text. */
export function report(result) {
  const lines = [
    `# Soak: ${result.settings.minutes} min, ${result.settings.rate} comments/s, ${result.settings.churn} new rooms/s, restart every ${result.settings.restartEvery} s, ${result.settings.engine} engine`,
    '',
    `${result.date} · ${result.command}`,
    '',
    '| t (s) | server heap (MiB) | server RSS (MiB) | page heap (MiB) | DOM nodes | engine rooms | sent | acked | delivered | rooms churned | restarts | |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...result.samples.map(
      (s) =>
        `| ${s.t} | ${mib(s.serverHeap)} | ${mib(s.serverRss)} | ${mib(s.pageHeap)} | ${s.domNodes} | ${s.engineRooms ?? '–'} | ${s.sent} | ${s.acked} | ${s.delivered} | ${s.churned} | ${s.restarts} | ${s.label} |`,
    ),
    '',
  ];
  const measured = result.samples.filter((s) => s.label !== 'end');
  for (const [key, name, unit] of [
    ['serverHeap', 'server heap', mib],
    ['pageHeap', 'page heap', mib],
    ['domNodes', 'DOM nodes', String],
  ]) {
    const { first, last } = drift(measured, key);
    lines.push(`- ${name}: median of the first third ${unit(first)}, of the last third ${unit(last)}`);
  }
  lines.push(
    `- comments: ${result.sent} sent, ${result.acked} acknowledged, ${result.unacked} unanswered, ${result.missing.length} acknowledged but not delivered to the page${result.missing.length ? ` (${result.missing.slice(0, 10).join(', ')}…)` : ''}`,
    `- error replies to the senders: ${
      result.errors.length
        ? Object.entries(result.errors.reduce((m, c) => ({ ...m, [c]: (m[c] ?? 0) + 1 }), {}))
            .map(([c, n]) => `${c} ×${n}`)
            .join(', ')
        : 'none'
    }`,
    `- churned rooms: ${result.churn.acked} posted to, ${result.churn.failed} failed (restarts)`,
    `- acknowledged comments some sending connection (which resumes too) did not see: ${result.missingForSenders}`,
    `- page status at the end: ${result.pageStatus}; resets (could not resume): ${result.pageResets}`,
    '',
  );
  return lines.join('\n');
}
