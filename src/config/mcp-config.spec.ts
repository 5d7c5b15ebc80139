import { AppConfig } from './app-config';
import { parseAllowedOrigins } from './mcp-config';
import { InvalidEnvironmentError, validateEnv } from './validate-env';

const config = (env: Record<string, string>) => new AppConfig(validateEnv(env), 'x'.repeat(32));

function problems(env: Record<string, string>): string[] {
  try {
    validateEnv(env);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidEnvironmentError);
    return (err as InvalidEnvironmentError).problems;
  }
  throw new Error('expected validation to fail');
}

describe('MCP settings', () => {
  describe('MCP_ALLOWED_ORIGINS', () => {
    it('should default to no extra origins', () => {
      expect(config({}).mcp.allowedOrigins).toEqual([]);
    });

    it('should read a comma-separated list as normalised origins', () => {
      const origins = config({
        MCP_ALLOWED_ORIGINS:
          ' https://App.Example.com , http://localhost:5173,https://app.example.com:443/,,',
      }).mcp.allowedOrigins;
      expect(origins).toEqual(['https://app.example.com', 'http://localhost:5173']);
    });

    it('should refuse entries that are not origins, naming the position but not the value', () => {
      const found = problems({
        MCP_ALLOWED_ORIGINS:
          'https://ok.example.com, https://x.example.com/path, ftp://files.example.com',
      });
      expect(found).toEqual([
        'MCP_ALLOWED_ORIGINS: entry 2 must have no path, query or fragment (expected scheme://host[:port])',
        'MCP_ALLOWED_ORIGINS: entry 3 must be http or https (expected scheme://host[:port])',
      ]);
      expect(found.join('\n')).not.toContain('example.com');
      expect(problems({ MCP_ALLOWED_ORIGINS: '*' })[0]).toMatch(
        /^MCP_ALLOWED_ORIGINS: entry 1 is not a URL/,
      );
      expect(problems({ MCP_ALLOWED_ORIGINS: 'https://u:p@x.example.com' })[0]).toMatch(
        /must not carry credentials/,
      );
      expect(problems({ MCP_ALLOWED_ORIGINS: 'https://x.example.com?a=1' })[0]).toMatch(
        /no path, query or fragment/,
      );
    });

    it('should normalise the same way as the parser used by the request policy', () => {
      expect(parseAllowedOrigins('HTTP://[::1]:8080/')).toEqual(['http://[::1]:8080']);
    });
  });
});
