// docs/tray-and-notifications.md is what the functions produce: a change to the texts shows up as a failing doc until it is regenerated (-u).
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { trayAndNotificationsMarkdown } from './tray-docs';

describe('tray and notifications docs', () => {
  it('match what the tray and the notifications really show', async () => {
    const path = join(__dirname, '..', '..', 'docs', 'tray-and-notifications.md');
    // Formatted as `npm run format` would, so the committed file passes `prettier --check` too.
    const markdown = await format(await trayAndNotificationsMarkdown(), {
      ...(await resolveConfig(path)),
      parser: 'markdown',
    });
    await expect(markdown).toMatchFileSnapshot(path);
  });
});
