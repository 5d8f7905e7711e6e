// "Did you mean" hints for misspelt keys and labels.
import { describe, expect, it } from 'vitest';
import { closeSpelling } from './close-spelling';

const KEYS = [
  'name',
  'container',
  'port',
  'listen',
  'models',
  'health',
  'idle',
  'wakeTimeout',
  'vram',
  'group',
  'pin',
  'idleWatts',
  'policy',
];

describe('closeSpelling', () => {
  it.each([
    ['idle_timeout', 'idle'],
    ['wake_timeout', 'wakeTimeout'],
    ['idle-watts', 'idleWatts'],
    ['model', 'models'],
    ['helth', 'health'],
    ['idel', 'idle'],
    ['polcy', 'policy'],
    ['timeout', 'wakeTimeout'],
    ['Port', 'port'],
  ])('suggests %s -> %s', (key, hint) => {
    expect(closeSpelling(key, KEYS)).toBe(hint);
  });

  it.each(['gpu', 'command', 'x'])('stays quiet for %s, which is like nothing known', (key) => {
    expect(closeSpelling(key, KEYS)).toBeNull();
  });
});
