import { Controller, Get, Header } from '@nestjs/common';
import { Public } from 'src/bearer/public.decorator';
import { AppConfig } from 'src/config/app-config';
import { GrantRegistry } from 'src/tokens/grants/grant-registry';
import { SigningKeysService } from 'src/tokens/keys/signing-keys.service';
import { authorizationServerMetadata, openIdConfiguration } from './authorization-server-metadata';
import { protectedResourceMetadata } from './protected-resource-metadata';

@Public()
@Controller('.well-known')
export class DiscoveryController {
  constructor(
    private readonly config: AppConfig,
    private readonly grants: GrantRegistry,
    private readonly keys: SigningKeysService,
  ) {}

  @Get('oauth-authorization-server')
  @Header('Cache-Control', 'public, max-age=300')
  metadata(): Record<string, unknown> {
    return authorizationServerMetadata(this.config, this.grants.supported);
  }

  @Get('openid-configuration')
  @Header('Cache-Control', 'public, max-age=300')
  openid(): Record<string, unknown> {
    return openIdConfiguration(this.config, this.grants.supported);
  }

  /** Served at the path-inserted URL and at the root (docs/mcp.md §6.2: VS Code needs both). */
  @Get(['oauth-protected-resource', 'oauth-protected-resource/mcp'])
  @Header('Cache-Control', 'public, max-age=300')
  protectedResource(): Record<string, unknown> {
    return protectedResourceMetadata(this.config);
  }

  @Get('jwks.json')
  @Header('Content-Type', 'application/jwk-set+json')
  @Header('Cache-Control', 'public, max-age=300')
  jwks(): Promise<unknown> {
    return this.keys.jwks();
  }
}
