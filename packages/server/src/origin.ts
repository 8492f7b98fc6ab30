/**
 * The origin allowlist, checked when a browser asks to upgrade to a WebSocket.
 */

/** Decides whether an upgrade's `Origin` header is allowed. */
export type OriginCheck = (origin: string | undefined) => boolean;

/**
 * Builds the check for an allowlist of origins such as `https://example.com`. An entry may put
 * `*.` before the host (`https://*.example.com`) to allow every subdomain, or be `*` alone to
 * allow everything. Without a list, every origin is allowed.
 *
 * A request with no `Origin` header is allowed: browsers always send one on WebSocket upgrades,
 * so its absence means a non-browser client, which could forge any header anyway. The allowlist
 * protects users' browsers from other sites, it does not authenticate programs.
 *
 * @throws {TypeError} when an entry is not an origin.
 */
export function createOriginCheck(allowed: readonly string[] | undefined): OriginCheck {
  if (!allowed || allowed.includes('*')) return () => true;
  const exact = new Set<string>();
  const suffixes: Array<{ scheme: string; suffix: string }> = [];
  for (const entry of allowed) {
    const match = /^(https?):\/\/(\*\.)?([a-z0-9.-]+(?::\d{1,5})?)$/i.exec(entry.trim());
    if (!match) {
      throw new TypeError(
        `Option "allowedOrigins" has "${entry}"; expected an origin such as "https://example.com" or "https://*.example.com".`,
      );
    }
    const [, scheme, wildcard, host] = match;
    if (wildcard) suffixes.push({ scheme: scheme.toLowerCase(), suffix: `.${host.toLowerCase()}` });
    else exact.add(`${scheme.toLowerCase()}://${host.toLowerCase()}`);
  }
  return (origin) => {
    if (origin === undefined) return true;
    const normalized = origin.toLowerCase();
    if (exact.has(normalized)) return true;
    return suffixes.some(({ scheme, suffix }) => normalized.startsWith(`${scheme}://`) && normalized.endsWith(suffix));
  };
}
