/**
 * Optional JWT authentication: verifies the token a client sends in its first message.
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Author, Role } from 'danmaku-layer-protocol';

/**
 * JWT settings. Give either `secret` (HMAC, e.g. HS256) or `jwksUrl` (public keys, e.g. RS256 or
 * ES256, fetched and cached). The token must carry `exp` and an `aud` matching `audience`.
 *
 * Claims read from the token:
 * - `sub` (required): the user id, shown as `comment.user.id`;
 * - `name` (optional string): shown as `comment.user.name`;
 * - `rooms` (optional array of strings): the rooms the user may join; an entry ending in `*`
 *   matches every room starting with what comes before it. Absent: every room;
 * - `can_send` (optional boolean): `false` makes the connection read-only. Default `true`;
 * - `role` (optional): `"moderator"` or `"admin"` lets the connection send moderation requests
 *   (retract, mute, unmute, slow mode, clear) in the rooms it may join; any other value is refused.
 */
export interface AuthOptions {
  /** Shared secret for HMAC-signed tokens (at least 32 bytes). */
  secret?: string | Uint8Array;
  /** URL of a JSON Web Key Set with the public keys that sign tokens. */
  jwksUrl?: string | URL;
  /** Expected `aud` claim (one of them, when a list). Required. */
  audience: string | string[];
  /** Expected `iss` claim, when set. Default: not checked. */
  issuer?: string | string[];
  /** Allowed clock skew when checking `exp` and `nbf`, in seconds. Default `30`. */
  clockTolerance?: number;
  /**
   * Accept an `http:` `jwksUrl` on a host other than loopback. Keys fetched in clear text can be
   * swapped by anyone on the path, who could then sign any token: only for a trusted private
   * network. Default `false` (`https:`, or `http:` to `localhost`, `127.0.0.0/8` or `[::1]`).
   */
  allowHttpJwks?: boolean;
}

/** Who a verified token says the user is and what they may do. */
export interface Identity {
  user: Author;
  /** Room patterns the user may join; `undefined` means every room. */
  rooms?: string[];
  canSend: boolean;
  /** The token's `role` claim: the connection may moderate. */
  role?: Role;
}

/** A token was refused; `message` says why (never echoes the token). */
export class AuthError extends Error {
  override name = 'AuthError';
}

/** Verifies a token and returns the identity it carries. Rejects with {@link AuthError}. */
export type Authenticator = (token: string) => Promise<Identity>;

/**
 * Checks the options and builds the authenticator.
 *
 * @throws {TypeError} when the options are incomplete or contradictory.
 */
export function createAuthenticator(options: AuthOptions): Authenticator {
  const { secret, jwksUrl, audience, issuer, clockTolerance = 30 } = options;
  if ((secret === undefined) === (jwksUrl === undefined)) {
    throw new TypeError('Option "auth" needs exactly one of "auth.secret" and "auth.jwksUrl".');
  }
  const audiences = Array.isArray(audience) ? audience : [audience];
  if (audiences.length === 0 || audiences.some((a) => typeof a !== 'string' || a === '')) {
    throw new TypeError('Option "auth.audience" must be a non-empty string (or list of them).');
  }
  if (!Number.isFinite(clockTolerance) || clockTolerance < 0) {
    throw new RangeError(`Option "auth.clockTolerance" must be a number of seconds ≥ 0; got ${clockTolerance}.`);
  }
  let key: Uint8Array | JWTVerifyGetKey;
  let algorithms: string[] | undefined;
  if (secret !== undefined) {
    key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
    if (key.length < 32) throw new RangeError('Option "auth.secret" must be at least 32 bytes long.');
    algorithms = ['HS256', 'HS384', 'HS512'];
  } else {
    let url: URL;
    try {
      url = new URL(String(jwksUrl));
    } catch {
      throw new TypeError(`Option "auth.jwksUrl" must be a URL; got "${String(jwksUrl)}".`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new TypeError(`Option "auth.jwksUrl" must be an https URL; got "${url.href}".`);
    }
    if (url.protocol === 'http:' && !isLoopback(url.hostname) && options.allowHttpJwks !== true) {
      throw new TypeError(
        `Option "auth.jwksUrl" must be an https URL (http only to a loopback address, or with "auth.allowHttpJwks"); got "${url.href}".`,
      );
    }
    key = createRemoteJWKSet(url);
  }

  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key as JWTVerifyGetKey, {
        audience: audiences,
        ...(issuer !== undefined ? { issuer } : {}),
        ...(algorithms ? { algorithms } : {}),
        clockTolerance,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      throw new AuthError(describe(error));
    }
    return identityOf(payload);
  };
}

/** Whether a URL host name is this machine: `localhost`, `127.0.0.0/8` or `::1`. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** Whether an identity may join `room`. */
export function mayJoin(identity: Identity | undefined, room: string): boolean {
  if (!identity?.rooms) return true;
  return identity.rooms.some((pattern) =>
    pattern.endsWith('*') ? room.startsWith(pattern.slice(0, -1)) : room === pattern,
  );
}

function identityOf(payload: JWTPayload): Identity {
  const id = payload.sub;
  if (typeof id !== 'string' || id.length === 0 || id.length > 128)
    throw new AuthError('The token\'s "sub" must be a user id of 1–128 characters.');
  const user: Author = { id };
  if (typeof payload.name === 'string' && payload.name.length > 0) user.name = payload.name.slice(0, 64);
  const { rooms } = payload;
  if (rooms !== undefined && (!Array.isArray(rooms) || rooms.some((r) => typeof r !== 'string'))) {
    throw new AuthError('The token\'s "rooms" must be a list of room names.');
  }
  if (payload.can_send !== undefined && typeof payload.can_send !== 'boolean') {
    throw new AuthError('The token\'s "can_send" must be true or false.');
  }
  const { role } = payload;
  if (role !== undefined && role !== 'moderator' && role !== 'admin') {
    throw new AuthError('The token\'s "role" must be "moderator" or "admin".');
  }
  return {
    user,
    ...(rooms ? { rooms: rooms as string[] } : {}),
    canSend: payload.can_send !== false,
    ...(role ? { role } : {}),
  };
}

/** A short reason for the client and the log, from jose's typed errors. */
function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'The token has expired.';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return `The token's "${String((error as { claim?: unknown }).claim)}" claim is missing or wrong.`;
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return "The token's signature is not valid.";
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'No known key signed the token.';
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JOSE_GENERIC':
      return 'The signing keys could not be fetched.';
    default:
      return 'The token is not valid.';
  }
}
