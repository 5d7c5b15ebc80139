import { AppConfig } from 'src/config/app-config';
import { KeyDecryptionError, KeyEncryption } from './key-encryption';

const withSecret = (appSecret: string) => new KeyEncryption({ appSecret } as AppConfig);

describe(KeyEncryption.name, () => {
  const plaintext = JSON.stringify({ kty: 'EC', crv: 'P-256', d: 'private-part', x: 'x', y: 'y' });
  let sut: KeyEncryption;

  beforeEach(() => {
    sut = withSecret('a-test-app-secret-that-is-long-enough');
  });

  it('should decrypt what it encrypted', () => {
    const sealed = sut.encrypt(plaintext, 'kid-1');
    expect(sut.decrypt(sealed, 'kid-1')).toBe(plaintext);
  });

  it('should produce v1.<iv>.<tag>.<ciphertext> in base64url without the plaintext', () => {
    const sealed = sut.encrypt(plaintext, 'kid-1');
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('private-part');
  });

  it('should use a fresh IV for every encryption', () => {
    expect(sut.encrypt(plaintext)).not.toBe(sut.encrypt(plaintext));
  });

  it('should detect a tampered ciphertext, tag or IV', () => {
    const sealed = sut.encrypt(plaintext, 'kid-1');
    const parts = sealed.split('.');
    for (const index of [1, 2, 3]) {
      const bytes = Buffer.from(parts[index], 'base64url');
      bytes[0] ^= 0x01;
      const tampered = [...parts];
      tampered[index] = bytes.toString('base64url');
      expect(() => sut.decrypt(tampered.join('.'), 'kid-1')).toThrow(KeyDecryptionError);
    }
  });

  it('should refuse a ciphertext moved to another kid', () => {
    const sealed = sut.encrypt(plaintext, 'kid-1');
    expect(() => sut.decrypt(sealed, 'kid-2')).toThrow(KeyDecryptionError);
  });

  it('should refuse a ciphertext sealed under another APP_SECRET', () => {
    const sealed = withSecret('another-app-secret-that-is-long-enough').encrypt(plaintext);
    expect(() => sut.decrypt(sealed)).toThrow(KeyDecryptionError);
  });

  it('should refuse malformed input and unknown versions', () => {
    const [, iv, tag, ct] = sut.encrypt(plaintext).split('.');
    for (const bad of [
      '',
      'v1',
      `v2.${iv}.${tag}.${ct}`,
      `v1.${iv}.${tag}`,
      `v1..${tag}.${ct}`,
      plaintext,
    ]) {
      expect(() => sut.decrypt(bad)).toThrow(KeyDecryptionError);
    }
  });
});
