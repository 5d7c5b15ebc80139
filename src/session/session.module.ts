import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from 'src/users/users.module';
import { BrowserResponder } from './browser-responder';
import { BrowserSession } from './browser-session.entity';
import { BrowserSessionsRepository } from './browser-sessions.repository';
import { SessionService } from './session.service';
import { SessionGuard } from './signed-in';

/**
 * Browser sessions at the edge (issue 14 item 3): the browser_sessions table, the session and
 * CSRF cookies, `SessionGuard` + `@SignedIn()` / `@Browser()`, and `BrowserResponder`, which turns
 * a service's outcome and cookie intents into the HTTP response.
 */
@Module({
  imports: [TypeOrmModule.forFeature([BrowserSession]), UsersModule],
  providers: [BrowserSessionsRepository, SessionService, SessionGuard, BrowserResponder],
  exports: [SessionService, SessionGuard, BrowserResponder, BrowserSessionsRepository],
})
export class SessionModule {}
