// The Electron-ABI SQLite binding is found where the docs say, and a wrong explicit path is an error.
import { describe, expect, it } from 'vitest';
import { electronSqliteBinding } from './native-binding';

describe('Electron SQLite binding', () => {
  const at =
    (...paths: string[]) =>
    (p: string) =>
      paths.includes(p);

  it('takes the one named in SIESTA_SQLITE_BINDING, and says so when it is missing', () => {
    expect(
      electronSqliteBinding({
        env: { SIESTA_SQLITE_BINDING: '/x/b.node' },
        appRoot: '/app',
        abi: '140',
        exists: at('/x/b.node'),
      }),
    ).toBe('/x/b.node');
    expect(() =>
      electronSqliteBinding({
        env: { SIESTA_SQLITE_BINDING: '/x/b.node' },
        appRoot: '/app',
        abi: '140',
        exists: at(),
      }),
    ).toThrow('SIESTA_SQLITE_BINDING names /x/b.node, which does not exist');
  });

  it('finds the build for this Electron ABI beside the app, and none for another ABI', () => {
    const built = at('/app/native/electron-abi140/better_sqlite3.node');
    expect(electronSqliteBinding({ env: {}, appRoot: '/app', abi: '140', exists: built })).toBe(
      '/app/native/electron-abi140/better_sqlite3.node',
    );
    expect(
      electronSqliteBinding({ env: {}, appRoot: '/app', abi: '141', exists: built }),
    ).toBeNull();
  });
});
