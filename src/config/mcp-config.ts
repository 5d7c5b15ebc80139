import { EnvSchema } from './env.schema';

/** The MCP resource server's settings beyond the resource URL (which follows from ISSUER). */
export interface McpOptions {
  /** Browser origins besides the issuer's own that may call /mcp, normalised (`scheme://host[:port]`). */
  allowedOrigins: string[];
}

/** The reason an MCP_ALLOWED_ORIGINS entry is not an origin, or null when it is one. */
function originProblem(entry: string): string | null {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be http or https';
  if (url.username || url.password) return 'must not carry credentials';
  if (url.pathname !== '/' || url.search || url.hash || /[?#]/.test(entry))
    return 'must have no path, query or fragment';
  return null;
}

const entries = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** `MCP_ALLOWED_ORIGINS` as normalised origins (scheme and host lowercased, default port dropped). */
export function parseAllowedOrigins(value: string): string[] {
  return [...new Set(entries(value).map((e) => new URL(e).origin))];
}

export function mcpOptions(env: EnvSchema): McpOptions {
  return {
    allowedOrigins: parseAllowedOrigins(env.MCP_ALLOWED_ORIGINS),
  };
}

/**
 * Cross-field rules of the MCP settings. Messages name the variable and the position of a bad entry,
 * not its value (origins are not secret, but the rule of the module is to never echo input).
 */
export function mcpConfigProblems(env: EnvSchema): string[] {
  const problems: string[] = [];
  entries(env.MCP_ALLOWED_ORIGINS).forEach((entry, i) => {
    const problem = originProblem(entry);
    if (problem)
      problems.push(
        `MCP_ALLOWED_ORIGINS: entry ${i + 1} ${problem} (expected scheme://host[:port])`,
      );
  });
  return problems;
}
