import { AppConfig } from 'src/config/app-config';
import { MCP_BASELINE_SCOPES } from 'src/oauth/oauth.constants';

/** RFC 9728 §2 metadata for the MCP endpoint (docs/mcp.md §1 items 2-3). */
export function protectedResourceMetadata(config: AppConfig): Record<string, unknown> {
  return {
    resource: config.mcp.resource,
    authorization_servers: [config.issuer],
    scopes_supported: MCP_BASELINE_SCOPES,
    bearer_methods_supported: ['header'],
    resource_name: 'MCP OAuth Server',
  };
}
