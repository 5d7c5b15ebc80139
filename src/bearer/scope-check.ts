/** Scopes in `required` that `granted` lacks, in the order of `required`. */
export function missingScopes(granted: readonly string[], required: readonly string[]): string[] {
  const have = new Set(granted);
  return [...new Set(required)].filter((s) => !have.has(s));
}

// A refresh-token scope, not a resource scope: MCP 2026-07-28 says servers SHOULD NOT put it in
// a challenge.
const NOT_IN_CHALLENGES = new Set(['offline_access']);

/**
 * The `scope` of an insufficient_scope challenge: everything this operation needs plus what the
 * token already has. docs/mcp.md §3.1: SDK 1.x clients *replace* their scope set with the challenged
 * one, so leaving out granted scopes would make the step-up lose them. Sorted, so the header is
 * stable.
 */
export function stepUpScopes(granted: readonly string[], required: readonly string[]): string[] {
  return [...new Set([...granted, ...required])].filter((s) => !NOT_IN_CHALLENGES.has(s)).sort();
}
