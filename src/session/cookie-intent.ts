import type { PageOutcome } from 'src/common/html/page-outcome';
import type { Session } from './session.service';

/**
 * What a browser-flow service wants done with the cookies (issue 14 item 3): services decide, the
 * edge (`BrowserResponder`) writes the Set-Cookie headers. Services never see Express.
 */
export type CookieIntent =
  | { set: 'session'; session: Session }
  | { clear: 'session' }
  | { set: 'login-csrf'; token: string }
  | { clear: 'login-csrf' };

/** A page or redirect, with the cookie changes that go with it. */
export type BrowserOutcome = PageOutcome & { cookies?: readonly CookieIntent[] };

/** The parts of a browser request the services need, read at the edge. */
export interface BrowserContext {
  /** The pre-login CSRF cookie's value, when the browser sent one. */
  loginCsrf: string | undefined;
  ip: string | null;
  userAgent: string | null;
}
