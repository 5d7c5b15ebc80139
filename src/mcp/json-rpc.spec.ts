import { toolCallNames } from './json-rpc';

describe('json-rpc', () => {
  it('should find the tool names of tools/call requests, single or batched', () => {
    const call = (name: unknown) => ({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name },
    });
    expect(toolCallNames(call('greet'))).toEqual(['greet']);
    expect(
      toolCallNames([call('a'), { jsonrpc: '2.0', id: 2, method: 'tools/list' }, call('b')]),
    ).toEqual(['a', 'b']);
    expect(toolCallNames(call(42))).toEqual([]);
    for (const body of [undefined, null, 'x', 7, {}, { method: 'tools/call' }])
      expect(toolCallNames(body)).toEqual([]);
  });
});
