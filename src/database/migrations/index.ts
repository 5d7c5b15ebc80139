import { InitialSchema1764547200000 } from './1764547200000-InitialSchema';
import { RefreshSuccessor1764633600000 } from './1764633600000-RefreshSuccessor';
import { BrowserSessions1765065600000 } from './1765065600000-BrowserSessions';

/** Every migration, in order. Listed explicitly so the same list runs from TypeScript and from dist/. */
export const MIGRATIONS = [
  InitialSchema1764547200000,
  RefreshSuccessor1764633600000,
  BrowserSessions1765065600000,
];
