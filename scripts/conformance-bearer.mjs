/**
 * Loaded with `node --import` in front of the conformance CLI (scripts/conformance.mjs) for the
 * scenarios run against the real, bearer-protected /mcp: `conformance server` has no option to send
 * a token, so this adds `Authorization: Bearer $CONFORMANCE_BEARER_TOKEN` to every request the CLI
 * sends to $CONFORMANCE_BEARER_ORIGIN, through undici's global dispatcher (the CLI's HTTP client).
 * Host and Origin checks run before authentication on /mcp, so the token changes nothing about what
 * a rebinding probe is refused with; it lets the valid-host probe get past the 401.
 * CONFORMANCE_CLI: the CLI's path, to load the same undici the CLI uses.
 */
import { createRequire } from 'node:module';

const token = process.env.CONFORMANCE_BEARER_TOKEN;
const target = process.env.CONFORMANCE_BEARER_ORIGIN;
if (token && target && process.env.CONFORMANCE_CLI) {
  const { getGlobalDispatcher, setGlobalDispatcher } = createRequire(process.env.CONFORMANCE_CLI)(
    'undici',
  );
  const withToken = (headers) => {
    const value = `Bearer ${token}`;
    if (Array.isArray(headers)) return [...headers, 'authorization', value];
    return { ...(headers ?? {}), authorization: value };
  };
  setGlobalDispatcher(
    getGlobalDispatcher().compose((dispatch) => (options, handler) => {
      const origin = options.origin ? new URL(String(options.origin)).origin : undefined;
      return dispatch(
        origin === target ? { ...options, headers: withToken(options.headers) } : options,
        handler,
      );
    }),
  );
}
