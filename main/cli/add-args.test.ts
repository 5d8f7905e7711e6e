// `siesta add`'s flags become the request; a bad flag is named.
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import Dockerode from 'dockerode';
import { parseAddArgs, templatesText } from './add-args';
import { runAdd } from './add-command';
import { CliError } from './cli-error';

describe('siesta add arguments', () => {
  it('turns the flags into a request', () => {
    const { input, client } = parseAddArgs([
      'qwen',
      '--template',
      'vllm',
      '--model',
      'Qwen/Qwen2.5-7B-Instruct',
      '--idle',
      '5m',
      '--context',
      '16384',
      '--precision',
      'fp8',
      '--gpu',
      '1',
      '--port',
      '18000',
      '--label',
      'team=vision',
      '--pull',
      'always',
      '--wake',
      '--control',
      '127.0.0.1:1',
    ]);
    expect(input).toEqual({
      request: {
        template: 'vllm',
        name: 'qwen',
        modelId: 'Qwen/Qwen2.5-7B-Instruct',
        idle: '5m',
        contextTokens: 16384,
        precision: 'fp8',
        gpu: 1,
        hostPort: 18000,
        labels: { team: 'vision' },
      },
      pull: 'always',
      dryRun: false,
      wake: true,
    });
    expect(client.control).toBe('127.0.0.1:1');
    expect(parseAddArgs(['x', '--template', 'comfyui', '--gpu', 'none']).input.request.gpu).toBe(
      'none',
    );
  });

  it('names the flag that is wrong', () => {
    expect(() => parseAddArgs(['--template', 'vllm'])).toThrow(/expected one model name/);
    expect(() => parseAddArgs(['x'])).toThrow(
      'siesta add: --template is required; one of vllm, llama-cpp, sglang, ollama, tei, speaches, comfyui',
    );
    expect(() => parseAddArgs(['x', '--template', 'vllm', '--context', '8k'])).toThrow(
      'siesta add: --context: expected a whole number, got "8k"',
    );
    expect(() => parseAddArgs(['x', '--template', 'vllm', '--pull', 'sometimes'])).toThrow(
      /--pull: expected missing, always or never/,
    );
    expect(() => parseAddArgs(['x', '--template', 'vllm', '--label', 'novalue'])).toThrow(
      'siesta add: --label novalue: expected KEY=VALUE',
    );
  });

  it('lists every template with its image and precisions', () => {
    expect(templatesText()).toMatch(
      /^vllm +vLLM \(OpenAI-compatible server\)\n +image vllm\/vllm-openai:v0\.11\.0, precisions BF16, FP8, INT4/,
    );
    expect(
      templatesText()
        .split('\n')
        .filter((l) => /^\S/.test(l)),
    ).toHaveLength(7);
  });

  it('says what to do when no Docker Engine answers', async () => {
    const { input } = parseAddArgs([
      'x',
      '--template',
      'vllm',
      '--model',
      'a/b-1B',
      '--gpu',
      'none',
      '--control',
      'http://127.0.0.1:1',
    ]);
    const out = new PassThrough();
    const error = await runAdd(
      { ...input, docker: new Dockerode({ socketPath: '/nonexistent/docker.sock' }) },
      { controlUrl: 'http://127.0.0.1:1', token: 'x'.repeat(20), out },
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CliError);
    expect((error as Error).message).toMatch(
      /^the Docker Engine does not answer \(.*ENOENT.*\); start Docker \(or set DOCKER_HOST to where it listens\) and add the model again$/,
    );
  });
});
