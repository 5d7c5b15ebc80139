import { JsonLogger } from './json-logger';
import { requestContext } from './request-context';

describe(JsonLogger.name, () => {
  it('should write one redacted JSON object per line with the request id', () => {
    const lines: string[] = [];
    const sut = new JsonLogger('debug', (l) => lines.push(l));
    requestContext.run({ requestId: 'req-1' }, () =>
      sut.log({ msg: 'token issued', refresh_token: 'mcprt_secretvalue123' }, 'Tokens'),
    );
    const entry = JSON.parse(lines[0]);
    expect(entry).toMatchObject({ level: 'log', context: 'Tokens', requestId: 'req-1', msg: 'token issued' });
    expect(lines[0]).not.toContain('mcprt_secretvalue123');
  });

  it('should drop messages below the configured level', () => {
    const lines: string[] = [];
    const sut = new JsonLogger('warn', (l) => lines.push(l));
    sut.log('hidden');
    sut.debug('hidden');
    sut.warn('shown');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['shown']);
  });
});
