// Starts a Gateway on a free loopback port over a FakeLifecycle, for the gateway's unit tests.
import { systemClock } from '../../clock/clock';
import { Gateway } from '../gateway';
import type { GatewaySettings } from '../gateway-settings';
import { gatewaySettings } from '../gateway-settings';
import type { FakeModelOptions } from './fake-lifecycle';
import { FakeLifecycle } from './fake-lifecycle';

/** A started gateway and its fake lifecycle. */
export interface GatewayFixture {
  readonly gateway: Gateway;
  readonly lifecycle: FakeLifecycle;
  /** The main port. */
  readonly port: number;
  readonly logs: string[];
  close(): Promise<void>;
}

/** Starts a gateway on 127.0.0.1:0 over fake models. */
export async function startGateway(
  models: readonly FakeModelOptions[],
  settings: Partial<GatewaySettings> = {},
  wakeEstimateMs: (model: string) => number | null = () => null,
): Promise<GatewayFixture> {
  const lifecycle = new FakeLifecycle(models);
  const logs: string[] = [];
  const gateway = new Gateway({
    lifecycle,
    clock: systemClock(),
    settings: gatewaySettings({ port: 0, ...settings }),
    wakeEstimateMs,
    log: (line) => logs.push(line),
  });
  await gateway.start();
  const main = gateway.addresses()[0];
  if (!main) throw new Error('gateway has no main address');
  return {
    gateway,
    lifecycle,
    port: main.port,
    logs,
    async close() {
      await gateway.stop();
      await lifecycle.close();
    },
  };
}
