import { Controller, Get, Header, HttpCode, Post } from '@nestjs/common';
import { Principal } from 'src/bearer/principal.decorator';
import { UsersService } from 'src/users/users.service';

/**
 * OIDC Core §5.3 UserInfo: `sub` always; `profile` adds name and preferred_username; `email` adds
 * email. The bearer guard has already verified the token (header only, never the query string).
 */
@Controller()
export class UserinfoController {
  constructor(private readonly users: UsersService) {}

  @Get('userinfo')
  @Header('Cache-Control', 'no-store')
  get(@Principal() principal: Principal): Promise<Record<string, unknown>> {
    return this.claims(principal);
  }

  @Post('userinfo')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  post(@Principal() principal: Principal): Promise<Record<string, unknown>> {
    return this.claims(principal);
  }

  private async claims(principal: Principal): Promise<Record<string, unknown>> {
    const claims: Record<string, unknown> = { sub: principal.sub };
    if (principal.sub === principal.clientId) return claims;
    const user = await this.users.findById(principal.sub);
    if (!user) return claims;
    if (principal.scope.includes('profile')) {
      claims.preferred_username = user.username;
      if (user.name) claims.name = user.name;
    }
    if (principal.scope.includes('email') && user.email) claims.email = user.email;
    return claims;
  }
}
