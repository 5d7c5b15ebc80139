import { Injectable } from '@nestjs/common';

/** Whether the process is draining after SIGTERM/SIGINT: readiness answers 503 from then on. */
@Injectable()
export class ShutdownState {
  private since: Date | null = null;

  get draining(): boolean {
    return this.since !== null;
  }

  begin(): void {
    this.since ??= new Date();
  }
}
