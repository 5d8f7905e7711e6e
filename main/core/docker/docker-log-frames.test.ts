// Docker's framed log answer: headers removed, TTY logs kept as they are, last lines counted right.
import { describe, expect, it } from 'vitest';
import { demultiplexDockerLog, lastLines } from './docker-log-frames';

function frame(stream: 1 | 2, text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

describe('container log tails', () => {
  it('joins stdout and stderr frames in the order the engine sent them', () => {
    const data = Buffer.concat([
      frame(1, 'one\n'),
      frame(2, 'two ünï\n'),
      frame(1, 'thr'),
      frame(1, 'ee\n'),
    ]);
    expect(lastLines(demultiplexDockerLog(data, false).toString('utf8'), 10)).toEqual([
      'one',
      'two ünï',
      'three',
    ]);
  });

  it('keeps a TTY log as it is and drops carriage returns', () => {
    const data = Buffer.from('starting\r\nout of memory\r\n');
    expect(lastLines(demultiplexDockerLog(data, true).toString('utf8'), 1)).toEqual([
      'out of memory',
    ]);
  });

  it('keeps what arrived of a truncated last frame', () => {
    const whole = frame(1, 'cut short\n');
    expect(demultiplexDockerLog(whole.subarray(0, whole.length - 4), false).toString()).toBe(
      'cut sh',
    );
  });

  it('returns nothing for a count of zero', () => {
    expect(lastLines('a\nb\n', 0)).toEqual([]);
  });
});
