// Vitest global setup: in CI the Docker engine must be there (tests fail loudly otherwise), and the fake-model image is built once.
import { dockerAvailable, dockerRequired, ensureFakeModelImage } from './docker-harness';

export default async function setup(): Promise<void> {
  const available = await dockerAvailable();
  if (!available) {
    if (dockerRequired) {
      throw new Error(
        `No Docker engine answers at ${process.env.DOCKER_HOST ?? 'the default socket'}, and CI requires one for the *.docker.test.ts suites.`,
      );
    }
    console.warn('[siesta tests] no Docker engine: *.docker.test.ts suites will be skipped');
    return;
  }
  ensureFakeModelImage();
}
