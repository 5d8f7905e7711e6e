// electron-builder's afterPack hook: flips Electron's fuses in the packed app, before signing and before the installers are made.
// Fuses are switches compiled into the Electron binary; turning them off removes ways to run code in the app's name.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS file: electron-builder loads its hooks with require() */
const path = require('node:path');

/**
 * The fuses Siesta sets (Electron's security checklist, "Check which fuses you can change"), but see
 * fuseSettingsFor for Linux:
 * no `ELECTRON_RUN_AS_NODE`, no `NODE_OPTIONS`, no `--inspect`; cookies encrypted at rest; the
 * app's code only from its asar archive.
 */
const FUSE_SETTINGS = Object.freeze({
  RunAsNode: false,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableCookieEncryption: true,
  OnlyLoadAppFromAsar: true,
});

/**
 * The fuses for one platform. On Linux RunAsNode stays on: the `.deb`'s `siesta` command
 * (build/linux/siesta) is the bundled CLI run by the app's own Electron with
 * `ELECTRON_RUN_AS_NODE=1`, so the CLI uses the native modules rebuilt for Electron's ABI and needs
 * no separate Node. Linux has no code-signing trust that a signed binary running as Node would
 * borrow (the reason for the fuse on macOS and Windows), and NODE_OPTIONS and --inspect stay off.
 * @param {string} electronPlatformName
 * @returns {Readonly<Record<string, boolean>>}
 */
function fuseSettingsFor(electronPlatformName) {
  return electronPlatformName === 'linux' ? { ...FUSE_SETTINGS, RunAsNode: true } : FUSE_SETTINGS;
}

/** electron-builder's `Arch.arm64`. */
const ARCH_ARM64 = 3;

/**
 * Where the packed Electron binary is: `Siesta.app` on macOS (@electron/fuses finds the framework
 * inside), `Siesta.exe` on Windows, the executable (`siesta`) on Linux.
 * @param {{ electronPlatformName: string, appOutDir: string, packager: { appInfo: { productFilename: string }, executableName?: string } }} context
 * @returns {string}
 */
function electronBinaryPath(context) {
  const { electronPlatformName, appOutDir, packager } = context;
  const product = packager.appInfo.productFilename;
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      return path.join(appOutDir, `${product}.app`);
    case 'win32':
      return path.join(appOutDir, `${product}.exe`);
    case 'linux':
      return path.join(appOutDir, packager.executableName ?? product);
    default:
      throw new Error(
        `after-pack: no Electron binary known for platform "${electronPlatformName}"`,
      );
  }
}

/**
 * The hook. A failure stops the build: a package with its fuses still open must not ship.
 * @param {{ electronPlatformName: string, appOutDir: string, arch: number, packager: { appInfo: { productFilename: string }, executableName?: string } }} context
 * @returns {Promise<void>}
 */
async function afterPack(context) {
  // @electron/fuses is an ES module.
  const { flipFuses, FuseVersion, FuseV1Options } = await import('@electron/fuses');
  /** @type {import('@electron/fuses').FuseV1Config} */
  const config = {
    version: FuseVersion.V1,
    // Changing the binary breaks its ad-hoc signature; arm64 Macs refuse to run an unsigned binary.
    resetAdHocDarwinSignature:
      context.electronPlatformName === 'darwin' && context.arch === ARCH_ARM64,
  };
  for (const [name, enabled] of Object.entries(fuseSettingsFor(context.electronPlatformName))) {
    const index = FuseV1Options[/** @type {keyof typeof FuseV1Options} */ (name)];
    /** @type {Record<number, boolean>} */ (/** @type {unknown} */ (config))[index] = enabled;
  }
  const binary = electronBinaryPath(context);
  try {
    await flipFuses(binary, config);
  } catch (error) {
    throw new Error(
      `after-pack: could not flip the Electron fuses in ${binary}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

module.exports = {
  default: afterPack,
  afterPack,
  electronBinaryPath,
  fuseSettingsFor,
  FUSE_SETTINGS,
};
