/**
 * The fonts the project's measured and pictured text needs: the widget benchmark's workload
 * (bench/widget/workload.mjs) and the documentation's screenshots mix Latin, CJK, Arabic and emoji.
 * A glyph no installed font has shows as a box, and sends Chromium through the system's fallback
 * search for every new text it measures or lays out, which costs more than drawing the text does
 * (on one machine without these fonts, one `measureText` of a benchmark comment took about 1.8 ms;
 * 0.32 ms with them), and the boxes are narrower than the glyphs, so fewer comments fit a lane.
 * Figures or pictures from such a machine are not the real thing: the scripts say which fonts are
 * missing and how to install them.
 */
import { execFileSync } from 'node:child_process';

/** Each font family the workload's text falls back to, and the Debian package that has it. */
export const BENCH_FONTS = Object.freeze([
  { family: 'DejaVu Sans', covers: 'Latin, Arabic', debian: 'fonts-dejavu-core' },
  { family: 'Droid Sans Fallback', covers: 'CJK', debian: 'fonts-droid-fallback' },
  { family: 'Noto Color Emoji', covers: 'emoji', debian: 'fonts-noto-color-emoji' },
]);

/**
 * The fonts of {@link BENCH_FONTS} absent from `families`, the output of `fc-list : family` (one
 * line per font, several names of one font separated by commas).
 * @param {string} families
 */
export function missingFrom(families) {
  const installed = new Set(
    families
      .split('\n')
      .flatMap((line) => line.split(','))
      .map((name) => name.trim().toLowerCase()),
  );
  return BENCH_FONTS.filter((font) => !installed.has(font.family.toLowerCase()));
}

/**
 * The fonts of {@link BENCH_FONTS} this machine lacks, asked of fontconfig (which Chromium uses
 * on Linux); `undefined` when `fc-list` cannot be run, so nothing is known.
 */
export function missingFonts() {
  let families;
  try {
    families = execFileSync('fc-list', [':', 'family'], { encoding: 'utf8' });
  } catch {
    return undefined;
  }
  return missingFrom(families);
}

/**
 * A line that names the missing fonts, what that does to `consequence` and the command that
 * installs them; '' when none is missing.
 */
export function missingFontsWarning(
  missing,
  consequence = 'figures of this run are not comparable with runs that had them',
) {
  if (!missing?.length) return '';
  const names = missing.map((f) => `${f.family} (${f.covers})`).join(', ');
  const packages = missing.map((f) => f.debian).join(' ');
  return (
    `! fonts missing: ${names}. Their glyphs go through the system's font fallback for every new text, ` +
    `which costs more than drawing it, and show as boxes: ${consequence} (apt-get install ${packages}).`
  );
}
