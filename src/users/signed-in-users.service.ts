import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Session, SessionService } from './session.service';
import { User } from './user.entity';
import { UsersService } from './users.service';

export interface SignedInUser {
  user: User;
  session: Session;
}

/** The person behind a browser session; a session of a deleted or disabled user is ended. */
@Injectable()
export class SignedInUsers {
  constructor(
    private readonly sessions: SessionService,
    private readonly users: UsersService,
  ) {}

  async resolve(req: Request, res: Response): Promise<SignedInUser | null> {
    const session = this.sessions.read(req);
    if (!session) return null;
    const user = await this.users.findById(session.userId);
    if (!user || user.disabled) {
      this.sessions.end(res);
      return null;
    }
    return { user, session };
  }
}
