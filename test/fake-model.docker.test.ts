// Checks the test harness itself: the imported fake-model image starts and answers on 127.0.0.1.
import { afterAll, expect, it } from 'vitest';
import { createFakeModel, removeTestContainers, testDocker } from './docker-harness';
import { describeDocker } from './docker-suite';

const docker = testDocker();

describeDocker('fake model image', () => {
  afterAll(() => removeTestContainers(docker));

  it('serves its web page on a loopback port once started', async () => {
    const container = await createFakeModel(docker, { name: 'siesta-harness-check', start: true });
    const info = await container.inspect();
    const binding = info.NetworkSettings.Ports['8000/tcp']?.[0];
    expect(binding?.HostIp).toBe('127.0.0.1');
    let body = '';
    for (let i = 0; i < 100 && !body; i++) {
      body = await fetch(`http://127.0.0.1:${binding?.HostPort}/`, {
        signal: AbortSignal.timeout(1000),
      }).then(
        (r) => r.text(),
        () => '',
      );
      if (!body) await new Promise((r) => setTimeout(r, 50));
    }
    expect(body).toContain('siesta-harness-check web UI');
  });
});
