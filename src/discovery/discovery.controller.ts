import { Controller, Get, Header, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from 'src/bearer/public.decorator';
import { TemporarilyUnavailable } from 'src/oauth/errors/oauth-errors';
import { AppConfig } from 'src/config/app-config';
import { GrantTypeRegistry } from 'src/tokens/grants/grant-type-registry';
import { SigningKeysService } from 'src/tokens/keys/signing-keys.service';
import { authorizationServerMetadata, openIdConfiguration } from './authorization-server-metadata';
import { protectedResourceMetadata } from './protected-resource-metadata';

@Public()
@Controller('.well-known')
export class DiscoveryController {
  constructor(
    private readonly config: AppConfig,
    private readonly grants: GrantTypeRegistry,
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

  /**
   * Never an empty set, and nothing cacheable unless it holds a key: a resource server that caches
   * `{"keys":[]}` cannot verify any token until its cache expires.
   */
  @Get('jwks.json')
  @Header('Content-Type', 'application/jwk-set+json')
  async jwks(@Res({ passthrough: true }) res: Response): Promise<unknown> {
    const set = await this.keys.jwks();
    if (set.keys.length === 0) throw TemporarilyUnavailable('no signing key yet');
    res.setHeader('Cache-Control', 'public, max-age=300');
    return set;
  }
}
