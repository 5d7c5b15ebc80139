import { Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { AppConfig } from 'src/config/app-config';

const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HKDF_INFO = 'signing-keys';

/** A stored value that is not ours, or was altered, or was sealed under another APP_SECRET. */
export class KeyDecryptionError extends Error {
  constructor() {
    super('encrypted signing key could not be decrypted');
    this.name = 'KeyDecryptionError';
  }
}

/** The 256-bit AES key for signing keys at rest: HKDF-SHA256(APP_SECRET, info 'signing-keys'). */
export function deriveKeyEncryptionKey(appSecret: string): Buffer {
  return Buffer.from(
    hkdfSync('sha256', Buffer.from(appSecret, 'utf8'), Buffer.alloc(0), HKDF_INFO, 32),
  );
}

/**
 * AES-256-GCM for private JWKs at rest. Output is self-describing, `v1.<iv>.<tag>.<ciphertext>`
 * (base64url parts), so the scheme can change later without guessing. `associatedData` (the kid)
 * binds a ciphertext to its row: a private key copied onto another row fails to decrypt.
 */
@Injectable()
export class KeyEncryption {
  private readonly key: Buffer;

  constructor(config: AppConfig) {
    this.key = deriveKeyEncryptionKey(config.appSecret);
  }

  encrypt(plaintext: string, associatedData = ''): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, iv, tag, ciphertext]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  /** Throws KeyDecryptionError on any malformed, tampered or foreign input. */
  decrypt(sealed: string, associatedData = ''): string {
    const parts = sealed.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION) throw new KeyDecryptionError();
    const [iv, tag, ciphertext] = parts.slice(1).map((p) => Buffer.from(p, 'base64url'));
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new KeyDecryptionError();
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new KeyDecryptionError();
    }
  }
}
