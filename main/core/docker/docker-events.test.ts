// The engine's events stream: JSON lines split anywhere across chunks, mapped to the actions Siesta follows.
import { describe, expect, it } from 'vitest';
import { LineSplitter, parseEngineEventLine } from './docker-events';

// As the engine writes it: timeNano has more digits than a double holds exactly.
const die =
  '{"Type":"container","Action":"die","Actor":{"ID":"abc123","Attributes":{"name":"llm","image":"vllm","exitCode":"3","siesta.enable":"true"}},' +
  '"time":1700000000,"timeNano":1700000000123456789}';

describe('Docker events', () => {
  it('reassembles lines split across chunks, even inside a UTF-8 character', () => {
    const splitter = new LineSplitter();
    const bytes = Buffer.from(`${die}\n{"Action":"stärt"}\n`);
    const cut = bytes.indexOf(Buffer.from('ä')) + 1;
    const lines = [
      ...splitter.push(bytes.subarray(0, 10)),
      ...splitter.push(bytes.subarray(10, cut)),
      ...splitter.push(bytes.subarray(cut)),
    ];
    expect(lines).toEqual([die, '{"Action":"stärt"}']);
  });

  it('maps a die with its exit code, name, labels and engine time', () => {
    expect(parseEngineEventLine(die, 0)).toEqual({
      kind: 'container',
      action: 'die',
      id: 'abc123',
      name: 'llm',
      at: 1_700_000_000_123,
      labels: { 'siesta.enable': 'true' },
      exitCode: 3,
      health: null,
    });
  });

  it('maps health_status to a health action and ignores execs, other types and junk', () => {
    const health = JSON.stringify({
      Type: 'container',
      Action: 'health_status: unhealthy',
      Actor: { ID: 'abc', Attributes: { name: 'llm' } },
    });
    expect(parseEngineEventLine(health, 5)).toMatchObject({
      action: 'health',
      health: 'unhealthy',
      at: 5,
    });
    expect(
      parseEngineEventLine(
        JSON.stringify({ Type: 'container', Action: 'exec_start: ls', Actor: { ID: 'abc' } }),
        0,
      ),
    ).toBeNull();
    expect(
      parseEngineEventLine(
        JSON.stringify({ Type: 'network', Action: 'connect', Actor: { ID: 'n' } }),
        0,
      ),
    ).toBeNull();
    expect(parseEngineEventLine('not json', 0)).toBeNull();
    expect(parseEngineEventLine('', 0)).toBeNull();
  });
});
