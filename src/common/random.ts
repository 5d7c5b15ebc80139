import { randomBytes, randomUUID } from 'node:crypto';

/** Randomness from the CSPRNG, injected so tests can pin it. */
export abstract class RandomSource {
  /** `bytes` random bytes, base64url without padding. */
  abstract token(bytes?: number): string;
  abstract uuid(): string;
}

export class CryptoRandomSource extends RandomSource {
  token(bytes = 32): string {
    return randomBytes(bytes).toString('base64url');
  }

  uuid(): string {
    return randomUUID();
  }
}
