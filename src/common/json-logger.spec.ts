import { JsonLogger } from './json-logger';
import { prettyLine } from './pretty-log';
import { requestContext } from './request-context';

describe(JsonLogger.name, () => {
  it('should write one redacted JSON object per line with the request id', () => {
    const lines: string[] = [];
    const sut = new JsonLogger('debug', (l) => lines.push(l));
    requestContext.run({ requestId: 'req-1' }, () =>
      sut.log({ msg: 'token issued', refresh_token: 'mcprt_secretvalue123' }, 'Tokens'),
    );
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]);
    expect(entry).toMatchObject({ level: 'info', context: 'Tokens', requestId: 'req-1', msg: 'token issued' });
    expect(typeof entry.time).toBe('string');
    expect(lines[0]).not.toContain('mcprt_secretvalue123');
  });

  it('should redact secrets in plain messages and error stacks', () => {
    const lines: string[] = [];
    const sut = new JsonLogger('log', (l) => lines.push(l));
    sut.warn('presented Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl', 'Auth');
    sut.error(new Error('failed with code=mcpac_abcdefghijkl'), 'Errors');
    expect(lines).toHaveLength(2);
    expect(lines.join('\n')).not.toMatch(/eyJhbGci|mcpac_abcdefghijkl/);
    expect(JSON.parse(lines[1])).toMatchObject({ level: 'error', context: 'Errors' });
  });

  it('should drop messages below the configured level', () => {
    const lines: string[] = [];
    const sut = new JsonLogger('warn', (l) => lines.push(l));
    sut.log('hidden');
    sut.debug('hidden');
    sut.warn('shown');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['shown']);
  });

  it("should write Nest's per-module and per-route start-up lines at debug, not at the default level", () => {
    const lines: string[] = [];
    const sut = new JsonLogger('log', (l) => lines.push(l));
    sut.log('AppModule dependencies initialized', 'InstanceLoader');
    sut.log('Mapped {/oauth/token, POST} route', 'RouterExplorer');
    sut.log('migration applied: X', 'Database');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['migration applied: X']);
    const debug: string[] = [];
    new JsonLogger('debug', (l) => debug.push(l)).log('Mapped {/x, GET} route', 'RouterExplorer');
    expect(JSON.parse(debug[0])).toMatchObject({ level: 'debug', msg: 'Mapped {/x, GET} route' });
  });

  it('should write readable lines with LOG_FORMAT=pretty', () => {
    const lines: string[] = [];
    const sut = new JsonLogger('log', (l) => lines.push(l), 'pretty');
    sut.log({ msg: 'server ready', issuer: 'http://localhost:8000', password: 'hunter2-secret' }, 'Bootstrap');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO  \[Bootstrap\] server ready issuer=http:\/\/localhost:8000/);
    expect(lines[0]).not.toContain('hunter2-secret');
    expect(lines[0]).not.toContain('{');
  });
});

describe(prettyLine.name, () => {
  it('should pass through a line that is not JSON', () => {
    expect(prettyLine('plain text\n', false)).toBe('plain text');
  });
});
