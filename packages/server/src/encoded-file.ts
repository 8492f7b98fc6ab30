/**
 * A static file prepared once for HTTP: its bytes, their gzip and brotli forms (node:zlib), an
 * ETag per form, and the choice among the forms for a request's `Accept-Encoding`.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** A content coding the server can send; `identity` is the file as it is. */
export type Encoding = 'br' | 'gzip' | 'identity';

/** One form of a file: the bytes to send and the strong validator that names them. */
export interface Representation {
  readonly encoding: Encoding;
  readonly body: Buffer;
  readonly etag: string;
}

/** A file and its compressed forms, smallest useful ones only. */
export interface EncodedFile {
  /** Whether compressed forms exist, i.e. whether responses differ by `Accept-Encoding`. */
  readonly varies: boolean;
  /** The forms by coding; `identity` is always there. */
  readonly forms: ReadonlyMap<Encoding, Representation>;
}

// When q-values tie, the smaller form wins: brotli, then gzip, then the bytes as they are.
const PREFERENCE: readonly Encoding[] = ['br', 'gzip', 'identity'];

/**
 * Compresses `body` with brotli and gzip at their best settings (the work is done once per file,
 * at first request, and every later response reuses it). A compressed form is kept only when it is
 * smaller than the original.
 */
export async function encodeFile(body: Buffer, compressible: boolean): Promise<EncodedFile> {
  // One hash of the content names every form; the suffix keeps each form's validator distinct,
  // as strong ETags must be per representation.
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 27);
  const forms = new Map<Encoding, Representation>([['identity', { encoding: 'identity', body, etag: `"${hash}"` }]]);
  if (compressible) {
    const [br, gz] = await Promise.all([
      brotli(body, {
        params: {
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
          [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
        },
      }),
      gzipAsync(body, { level: constants.Z_BEST_COMPRESSION }),
    ]);
    if (br.length < body.length) forms.set('br', { encoding: 'br', body: br, etag: `"${hash}-br"` });
    if (gz.length < body.length) forms.set('gzip', { encoding: 'gzip', body: gz, etag: `"${hash}-gz"` });
  }
  return { varies: forms.size > 1, forms };
}

/**
 * The q-value a request's `Accept-Encoding` gives `encoding` (RFC 9110 §12.5.3): its own entry,
 * else `*`, else 0 — except `identity`, which stays acceptable unless excluded, but only as the
 * last resort: `br;q=0.1` still prefers brotli to the uncompressed file.
 */
function quality(entries: ReadonlyMap<string, number>, encoding: Encoding): number {
  const own = entries.get(encoding) ?? (encoding === 'gzip' ? entries.get('x-gzip') : undefined);
  if (own !== undefined) return own;
  const any = entries.get('*');
  if (any !== undefined) return any;
  return encoding === 'identity' ? Number.MIN_VALUE : 0;
}

/** Parses `Accept-Encoding` into coding → q-value (malformed q-values count as 0). */
function parseAcceptEncoding(header: string): Map<string, number> {
  const entries = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (!name) continue;
    let q = 1;
    for (const param of params) {
      if (!/^q\s*=/.test(param)) continue;
      const match = /^q\s*=\s*([01](?:\.\d{0,3})?)$/.exec(param);
      q = match ? Math.min(1, Number(match[1])) : 0;
    }
    entries.set(name, q);
  }
  return entries;
}

/**
 * Picks the form to send for `acceptEncoding`: the acceptable one with the highest q-value,
 * brotli before gzip before identity when they tie. Falls back to identity when nothing is
 * acceptable (allowed by RFC 9110, and more useful to a client than a 406).
 */
export function chooseRepresentation(file: EncodedFile, acceptEncoding: string | undefined): Representation {
  const identity = file.forms.get('identity')!;
  if (!file.varies || !acceptEncoding) return identity;
  const entries = parseAcceptEncoding(acceptEncoding);
  let best: Representation | undefined;
  let bestQ = 0;
  for (const encoding of PREFERENCE) {
    const form = file.forms.get(encoding);
    const q = form ? quality(entries, encoding) : 0;
    if (form && q > bestQ) {
      best = form;
      bestQ = q;
    }
  }
  return best ?? identity;
}

/**
 * Whether `If-None-Match` names `etag` (weak comparison, as RFC 9110 §13.1.2 prescribes for it),
 * or is `*`.
 */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = (tag: string): string => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => opaque(tag) === etag);
}
