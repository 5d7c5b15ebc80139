import { missingScopes, stepUpScopes } from './scope-check';

describe('scope-check', () => {
  describe(missingScopes.name, () => {
    it('should list required scopes the token lacks, once each', () => {
      expect(missingScopes(['read'], ['write', 'read', 'write'])).toEqual(['write']);
    });

    it('should find nothing missing when every scope is granted or none is required', () => {
      expect(missingScopes(['read', 'write'], ['write'])).toEqual([]);
      expect(missingScopes([], [])).toEqual([]);
    });
  });

  describe(stepUpScopes.name, () => {
    it('should union granted and required scopes, sorted', () => {
      expect(stepUpScopes(['read'], ['write'])).toEqual(['read', 'write']);
      expect(stepUpScopes(['write'], ['read'])).toEqual(['read', 'write']);
      expect(stepUpScopes(['write', 'read'], ['admin', 'read'])).toEqual([
        'admin',
        'read',
        'write',
      ]);
    });

    it('should leave offline_access out of the challenge', () => {
      expect(stepUpScopes(['read', 'offline_access'], ['write'])).toEqual(['read', 'write']);
    });
  });
});
