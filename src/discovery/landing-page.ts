import { html, SafeHtml } from 'src/common/html/html';
import { layout } from 'src/common/html/layout';
import { AppConfig } from 'src/config/app-config';

/**
 * GET /: what this server is, its endpoints, how to connect an MCP client. The authorization
 * server metadata's `service_documentation` points here (RFC 8414 §2).
 */
export function landingPage(config: AppConfig): string {
  const base = config.issuer;
  const endpoint = (label: string, path: string, note?: string): SafeHtml =>
    html`<li>${label}: <code>${base}${path}</code>${note ? html` <span class="muted">(${note})</span>` : ''}</li>`;
  const endpoints: SafeHtml[] = [
    endpoint('MCP (Streamable HTTP)', config.mcp.path),
    endpoint('Authorization server metadata', '/.well-known/oauth-authorization-server', 'RFC 8414'),
    endpoint('Protected resource metadata', `/.well-known/oauth-protected-resource${config.mcp.path}`, 'RFC 9728'),
    endpoint('JWKS', '/.well-known/jwks.json'),
    endpoint('Authorization', '/oauth/authorize', 'code + PKCE S256'),
    endpoint('Token', '/oauth/token'),
    endpoint('Revocation', '/oauth/revoke', 'RFC 7009'),
    endpoint('Introspection', '/oauth/introspect', 'RFC 7662'),
    ...(config.registration.mode !== 'off'
      ? [endpoint('Dynamic client registration', '/oauth/register', `RFC 7591, ${config.registration.mode}`)]
      : []),
    endpoint('UserInfo', '/userinfo'),
    endpoint('Your connected apps', '/account/apps'),
    endpoint('Admin API (OpenAPI)', '/admin/docs', 'scope admin'),
    endpoint('Health', '/health/ready'),
    ...(config.metrics.enabled ? [endpoint('Prometheus metrics', '/metrics', 'loopback, or METRICS_TOKEN')] : []),
  ];
  return layout(
    'MCP OAuth Server',
    html`<h1>MCP OAuth Server</h1>
<p>An OAuth 2.1 authorization server and the MCP server it protects, in one process.
Issuer: <code>${base}</code></p>
<h2>Connect an MCP client</h2>
<p>Give your MCP client the URL <code>${config.mcp.resource}</code>. Nothing else is needed: its
first request gets <code>401</code> with a <code>WWW-Authenticate</code> challenge, it reads the
metadata below, registers itself (or presents its Client ID Metadata Document), sends you here to
sign in and approve, then calls the tools with its token.</p>
<ul class="scopes">
<li>MCP Inspector: <code>npx @modelcontextprotocol/inspector@latest</code>, transport
“Streamable HTTP”, URL <code>${config.mcp.resource}</code>, then “Open Auth Settings” →
“Quick OAuth Flow”.</li>
<li>Claude Desktop and other stdio-only clients: <code>npx -y mcp-remote ${config.mcp.resource}</code>.</li>
</ul>
<h2>Endpoints</h2>
<ul class="scopes">${endpoints}</ul>
${
  config.seedDemo
    ? html`<p class="muted">The demo client and user are seeded (SEED_DEMO): see the README.</p>`
    : ''
}`,
  );
}
