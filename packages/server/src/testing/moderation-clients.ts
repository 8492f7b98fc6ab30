/**
 * Helpers for moderation tests: signed tokens with a role, and clients that send a moderation
 * request and wait for its answer.
 */
import { SignJWT, type JWTPayload } from 'jose';
import type { AckMessage, ErrorMessage, ServerMessage } from 'danmaku-layer-protocol';
import type { TestClient } from './client.js';

/** The shared secret the moderation tests sign with. */
export const TEST_SECRET = 'a-shared-secret-of-at-least-32-bytes!';
/** Their audience. */
export const TEST_AUDIENCE = 'danmaku-test';
/** The `auth` option matching {@link signToken}. */
export const testAuth = { secret: TEST_SECRET, audience: TEST_AUDIENCE };

/** A token for `claims` (`sub` at least), valid for five minutes. */
export function signToken(claims: JWTPayload): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setAudience(TEST_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(TEST_SECRET));
}

/** Authenticates an open client with a token for `claims` and resolves with it once it is welcomed. */
export async function signIn(client: TestClient, claims: JWTPayload): Promise<TestClient> {
  client.ws.send(JSON.stringify({ type: 'auth', token: await signToken(claims) }));
  await client.next((m) => m.type === 'welcome');
  return client;
}

let counter = 0;

/** Sends a request (`send` or a moderation message) and resolves with its `ack` or `error`. */
export async function request(
  client: TestClient,
  message: Record<string, unknown>,
): Promise<AckMessage | ErrorMessage> {
  const id = (message.id as string | undefined) ?? `r${++counter}`;
  client.ws.send(JSON.stringify({ ...message, id }));
  return client.next<AckMessage | ErrorMessage>(
    (m: ServerMessage) => (m.type === 'ack' || m.type === 'error') && m.id === id,
  );
}

/** Posts a comment and resolves with its seq (throws when it was refused). */
export async function post(client: TestClient, text: string): Promise<number> {
  const answer = await request(client, { type: 'send', text });
  if (answer.type !== 'ack' || answer.seq === undefined) throw new Error(`not posted: ${JSON.stringify(answer)}`);
  return answer.seq;
}
