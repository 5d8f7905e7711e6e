// The control API and dashboard server, with the gateway's readings in /metrics and the model manager's routes.
import { ControlApiServer, DEFAULT_CONTROL_HOST, DEFAULT_CONTROL_PORT } from '../api/api-server';
import type { SiestaControlCore } from '../api/siesta-control-core';
import type { Clock } from '../clock/clock';
import type { ModelManager } from '../manage/model-manager';
import type { Gateway } from '../proxy/gateway';
import type { RequestMetering } from './request-metering';
import type { SiestaOptions } from './siesta-types';
import { SiestaStartError } from './siesta-types';
import type { Teardown } from './teardown';
import { messageOf } from './teardown';

/** Starts the control API; rejects with a `SiestaStartError` naming the address when it is taken. */
export async function startApi(
  root: {
    readonly options: SiestaOptions;
    readonly clock: Clock;
    readonly log: (line: string) => void;
    readonly teardown: Teardown;
  },
  core: SiestaControlCore,
  gateway: Gateway,
  token: string,
  manager: ModelManager,
  metering: RequestMetering,
): Promise<ControlApiServer> {
  const controlAddress = root.options.control ?? {
    host: DEFAULT_CONTROL_HOST,
    port: DEFAULT_CONTROL_PORT,
  };
  const api = new ControlApiServer({
    core,
    manager,
    token,
    host: controlAddress.host,
    port: controlAddress.port,
    rendererDir: root.options.rendererDir ?? null,
    clock: root.clock,
    onError: (error) => root.log(`control API: ${messageOf(error)}`),
    log: root.log,
  });
  api.metrics.addReading(
    'siesta_gateway_buffered_body_bytes',
    'Bytes of request bodies the gateway holds in memory to route them by their model field',
    () => gateway.bufferedBodyBytes(),
  );
  api.metrics.addReading(
    'siesta_gateway_open_connections',
    'Client connections open on the gateway, all ports together',
    () => gateway.openConnections(),
  );
  root.teardown.add(metering.onRequest((row) => api.metrics.observeRequest(row)));
  try {
    await api.listen();
  } catch (error: unknown) {
    throw new SiestaStartError(messageOf(error));
  }
  root.teardown.add(() => api.close());
  return api;
}
