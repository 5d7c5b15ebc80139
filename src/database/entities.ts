import { AuditEvent } from 'src/audit/audit-event.entity';
import { AuthorizationCode } from 'src/authorization/authorization-code.entity';
import { OAuthClient } from 'src/clients/oauth-client.entity';
import { Consent } from 'src/consent/consent.entity';
import { Note } from 'src/mcp/note.entity';
import { AccessToken } from 'src/tokens/access-token.entity';
import { Grant } from 'src/tokens/grant.entity';
import { RefreshToken } from 'src/tokens/refresh-token.entity';
import { SigningKey } from 'src/tokens/signing-key.entity';
import { BrowserSession } from 'src/session/browser-session.entity';
import { User } from 'src/users/user.entity';

/** Every entity, for the data source (each module still registers its own with forFeature). */
export const ENTITIES = [
  OAuthClient,
  User,
  Consent,
  AuthorizationCode,
  Grant,
  AccessToken,
  RefreshToken,
  SigningKey,
  AuditEvent,
  Note,
  BrowserSession,
];
