/**
 * What a run prints and keeps: number formats, markdown tables, the machine it ran on, the JSON
 * file of results, and the warnings that say when a figure means less than it seems.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { hardFileLimit } from './proc.mjs';

/** `value` with `digits` decimals, or `n/a`. */
export const fmt = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/** `a / b` as `1.23×`, or `n/a`. */
export const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');

/** A markdown table of `rows` under `columns`, cells padded to line up. */
export function table(rows, columns) {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((cell, i) => String(cell).padEnd(widths[i])).join(' | ')} |`;
  return [line(columns), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** The machine the figures were measured on. */
export function machine() {
  return {
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    fileLimit: hardFileLimit(),
  };
}

/** Writes `data` as `server-<kind>-<date>.json` in the folder `results`; returns the file's path. */
export function save(results, kind, data) {
  mkdirSync(results, { recursive: true });
  const file = `${results}server-${kind}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

function warnAboutLoad(name, result) {
  const busiest = Math.max(...result.loadGeneratorCoreUse);
  if (busiest > 0.85) {
    process.stdout.write(
      `  ! ${name}: a load-generator process used ${(busiest * 100).toFixed(0)} % of a core; ` +
        'its own queue is part of the latency (more --receiver-procs on a machine with spare cores).\n',
    );
  }
}

function warnAboutConnects(name, result) {
  if (result.connectFailures > 0) {
    process.stdout.write(
      `  ! ${name}: ${result.connectFailures} clients could not connect (${result.firstConnectError}); expected counts only the others.\n`,
    );
  }
}

function warnAboutOrder(name, result) {
  if (result.outOfOrder > 0 || result.duplicates > 0) {
    process.stdout.write(`  ! ${name}: ${result.outOfOrder} comments out of order, ${result.duplicates} duplicates.\n`);
  }
}

function warnAboutLimits(name, result) {
  const slow = result.closes?.['4002'] ?? 0;
  if (slow > 0) {
    process.stdout.write(
      `  ! ${name}: ${slow} clients were closed as slow consumers (4002): the load generator fell behind the server's ` +
        'per-client buffer cap; their missing comments count as lost.\n',
    );
  }
  const limited = result.errors?.rate_limited ?? 0;
  if (limited > 0) {
    process.stdout.write(
      `  ! ${name}: ${limited} sends or connections were refused by server limits; raise them with --ours-flags.\n`,
    );
  }
}

/**
 * Prints what makes a broadcast's figures mean less than they seem: server limits reached, a
 * saturated load generator, comments out of order or repeated, clients that could not connect.
 */
export function warnAbout(name, result) {
  warnAboutLimits(name, result);
  warnAboutLoad(name, result);
  warnAboutOrder(name, result);
  warnAboutConnects(name, result);
}
