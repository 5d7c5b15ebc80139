import { seal, unseal } from './token-sealing';

describe('token sealing', () => {
  it('should open only with the secret it was sealed under', () => {
    const sealed = seal('mcprt_successor', 'mcprt_previous', 'refresh-successor');
    expect(unseal(sealed, 'mcprt_previous', 'refresh-successor')).toBe('mcprt_successor');
    expect(unseal(sealed, 'mcprt_other', 'refresh-successor')).toBeNull();
    expect(unseal(sealed, 'mcprt_previous', 'other-purpose')).toBeNull();
  });

  it('should detect tampering', () => {
    const sealed = seal('value', 'secret', 'x');
    const parts = sealed.split('.');
    parts[3] = Buffer.from('changed').toString('base64url');
    expect(unseal(parts.join('.'), 'secret', 'x')).toBeNull();
    expect(unseal('garbage', 'secret', 'x')).toBeNull();
  });
});
