// The `siesta` command's own errors, as a user sees them on the terminal: what was wrong and where, no stack trace.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = join(__dirname, '..');
const TSX = join(REPO, 'node_modules', '.bin', 'tsx');
const CLI = join(REPO, 'main', 'cli.ts');
const dir = mkdtempSync(join(tmpdir(), 'siesta-cli-unit-'));

function siesta(...args: string[]) {
  const result = spawnSync(TSX, [CLI, ...args], { encoding: 'utf8', timeout: 30_000, cwd: dir });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the siesta command', () => {
  it('`siesta check` names the file, line, model and field of a bad entry and still counts the good ones', () => {
    const file = join(dir, 'siesta.yaml');
    writeFileSync(
      file,
      [
        'models:',
        '  - name: qwen',
        '    idle: 15m',
        '  - name: flux',
        '    idle: ten minutes',
        '',
      ].join('\n'),
    );
    const result = siesta('check', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}:5`);
    expect(result.stderr).toContain('flux');
    expect(result.stderr).toContain('expected a duration like 90s, 10m or 1h');
    expect(result.stdout).toContain('1 model read');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('`siesta serve` with a missing config file says which file, and starts nothing', () => {
    const result = siesta(
      'serve',
      '--config',
      join(dir, 'nope.yaml'),
      '--data-dir',
      join(dir, 'data'),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--config: no such file');
    expect(result.stderr).toContain('nope.yaml');
  });

  it('`siesta serve` with a bad --gateway names the flag and the expected form', () => {
    const result = siesta('serve', '--gateway', 'localhost', '--data-dir', join(dir, 'data'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      '--gateway: expected HOST:PORT such as 127.0.0.1:11400, got "localhost"',
    );
  });

  it('`siesta serve` with a bad --only-label names the flag and the expected form', () => {
    const result = siesta('serve', '--only-label', 'team', '--data-dir', join(dir, 'data'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '--only-label team: expected KEY=VALUE, e.g. --only-label team=vision',
    );
  });

  it('an unknown command prints the usage and fails', () => {
    const result = siesta('snooze');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "snooze"');
    expect(result.stderr).toContain('Usage: siesta <command>');
  });

  it('`siesta wake` without a model name says so', () => {
    const result = siesta('wake');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('siesta wake: expected one model name');
  });

  it('`siesta status` with no daemon running says it cannot reach it', () => {
    const result = siesta('status', '--control', '127.0.0.1:1', '--token', 'x');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('127.0.0.1:1');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
