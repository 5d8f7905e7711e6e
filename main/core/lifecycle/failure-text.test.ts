// The words of each failure cause: what the dashboard, the tray, the CLI and the notifications show as its reason.
import { describe, expect, it } from 'vitest';
import type { FailureCause } from '../shared/causes';
import { failureText } from './failure-text';

describe('failure texts', () => {
  it('say what went wrong for every cause', () => {
    const cases: [FailureCause, string][] = [
      [
        { kind: 'timeout', afterMs: 120_000, lastCheck: 'HTTP 503 from /health' },
        'not ready after 2m (last check: HTTP 503 from /health)',
      ],
      [{ kind: 'timeout', afterMs: 90_000, lastCheck: null }, 'not ready after 1m30s'],
      [{ kind: 'no-container', container: 'vllm-qwen' }, 'container "vllm-qwen" does not exist'],
      [
        { kind: 'removed', container: 'vllm-qwen', whileWaking: true },
        'container "vllm-qwen" was removed while waking',
      ],
      [
        { kind: 'removed', container: 'vllm-qwen', whileWaking: false },
        'the container was removed',
      ],
      [
        { kind: 'exited', exitCode: 137, oomKilled: true, whileWaking: true },
        'the container exited with code 137 (killed: out of memory) while waking',
      ],
      [
        { kind: 'exited', exitCode: null, oomKilled: false, whileWaking: false },
        'the container exited',
      ],
      [{ kind: 'unhealthy', whileWaking: true }, 'the container turned unhealthy while waking'],
      [{ kind: 'unhealthy', whileWaking: false }, 'the container turned unhealthy'],
      [{ kind: 'unreachable', detail: 'no published port' }, 'no published port'],
      [{ kind: 'not-ready', detail: 'HTTP 404 from /v1/models' }, 'HTTP 404 from /v1/models'],
      [{ kind: 'error', detail: 'never fits on GPU 0' }, 'never fits on GPU 0'],
    ];
    for (const [cause, text] of cases) expect(failureText(cause)).toBe(text);
  });
});
