// The layers hold: no folder of main/core imports a folder above or beside it, and Electron stays out of the core and
// the CLI; a deliberate upward import is caught and named.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { breachesIn, layerBreaches } from './layer-rules';

const ROOT = join(__dirname, '..');

describe('the layers of main/core', () => {
  it('has no upward or sideways import between its folders, and no Electron in the core or the CLI', () => {
    expect(layerBreaches(ROOT)).toEqual([]);
  });

  it('catches a deliberate upward import, naming the file, the import and the layers', () => {
    const source = "import type { ApiModel } from '../api/contract';\nexport const x = 1;\n";
    expect(breachesIn('main/core/clock/clock-extra.ts', source)).toEqual([
      {
        file: 'main/core/clock/clock-extra.ts',
        imported: '../api/contract',
        why: 'main/core/clock (layer 0) may not import main/core/api (layer 11): upward',
      },
    ]);
    // The leak this issue closed: the gateway reaching into the control API for its cookie name.
    expect(
      breachesIn(
        'main/core/proxy/forwarded-headers.ts',
        "import { TOKEN_COOKIE } from '../api/request-guards';",
      ),
    ).toHaveLength(1);
    // A sideways import between folders of one layer, and the composition root imported from below.
    expect(
      breachesIn(
        'main/core/ledger/x.ts',
        "import { VramScheduler } from '../scheduler/vram-scheduler';",
      )[0]?.why,
    ).toMatch(/same layer/);
    expect(
      breachesIn('main/core/api/x.ts', "export { startSiesta } from '../siesta';")[0]?.why,
    ).toMatch(/siesta\.ts .*upward/);
  });

  it('catches Electron in the core and the CLI, and allows downward imports', () => {
    expect(breachesIn('main/core/tray/x.ts', "import { Tray } from 'electron';")).toHaveLength(1);
    expect(breachesIn('main/cli/x.ts', "import { app } from 'electron';")).toHaveLength(1);
    // The client side goes into the renderer's bundle too: no Node modules.
    expect(breachesIn('main/core/client/x.ts', "import { Agent } from 'node:http';")).toHaveLength(
      1,
    );
    expect(breachesIn('main/app/x.ts', "import { app } from 'electron';")).toEqual([]);
    expect(
      breachesIn('main/core/api/x.ts', "import type { Ledger } from '../ledger/ledger';"),
    ).toEqual([]);
  });
});
