import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Put,
  Req,
  Res,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { setAuditContext } from 'src/audit/audit-context';
import { Audited } from 'src/audit/audited.decorator';
import { Public } from 'src/bearer/public.decorator';
import { InvalidRequest } from 'src/oauth/errors/oauth-errors';
import { RateLimit } from 'src/rate-limit/rate-limit.decorator';
import { ClientInformation } from './client-information';
import { RegistrationService } from './registration.service';

const MANAGEMENT_PATHS = ['oauth/register/:client_id', 'register/:client_id'];

/**
 * RFC 7591 registration and RFC 7592 management. Public as far as the global bearer guard is
 * concerned: these endpoints check their own tokens (initial / registration access token).
 */
@Public()
@Controller()
export class RegistrationController {
  constructor(private readonly registration: RegistrationService) {}

  @Post(['oauth/register', 'register'])
  @HttpCode(201)
  @RateLimit('register')
  @Audited('client.registered')
  async register(
    @Headers('authorization') authorization: string | undefined,
    @Body() body: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ClientInformation> {
    requireJson(req);
    const info = await this.registration.register(authorization, body);
    setAuditContext(req, { clientId: info.client_id, details: describe(info) });
    return noStore(res, info);
  }

  @Get(MANAGEMENT_PATHS)
  async read(
    @Param('client_id') clientId: string,
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ClientInformation> {
    return noStore(res, await this.registration.read(clientId, authorization));
  }

  @Put(MANAGEMENT_PATHS)
  @Audited('client.updated')
  async update(
    @Param('client_id') clientId: string,
    @Headers('authorization') authorization: string | undefined,
    @Body() body: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ClientInformation> {
    setAuditContext(req, { clientId });
    requireJson(req);
    const info = await this.registration.update(clientId, authorization, body);
    setAuditContext(req, { details: describe(info) });
    return noStore(res, info);
  }

  @Delete(MANAGEMENT_PATHS)
  @HttpCode(204)
  @Audited('client.deleted')
  async remove(
    @Param('client_id') clientId: string,
    @Headers('authorization') authorization: string | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    setAuditContext(req, { clientId, details: { source: 'dcr' } });
    await this.registration.remove(clientId, authorization);
    res.setHeader('Cache-Control', 'no-store');
  }
}

/** RFC 7591 §3.1: the metadata is a JSON document. */
function requireJson(req: Request): void {
  if (!req.is('json')) throw InvalidRequest('content type must be application/json');
}

function noStore(res: Response, info: ClientInformation): ClientInformation {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  return info;
}

/** What the audit trail keeps about a registration (never a secret or token). */
function describe(info: ClientInformation): Record<string, unknown> {
  return {
    source: 'dcr',
    client_name: info.client_name,
    token_endpoint_auth_method: info.token_endpoint_auth_method,
    application_type: info.application_type,
    redirect_uris: info.redirect_uris,
  };
}
