// Turns the pure tray menu model into Electron's menu template: the only place menu items get click handlers.
import type { MenuItemConstructorOptions } from 'electron';
import type { TrayAction, TrayMenuItem } from '../core/tray/tray-action';
import { assertNever } from '../core/shared/assert-never';

/**
 * Electron's template for the menu model. Clicks call `onAction` with the item's descriptor.
 * On Windows and Linux `&` marks an access key, so a literal one (a model named `r&d`) is doubled.
 */
export function menuTemplate(
  items: readonly TrayMenuItem[],
  onAction: (action: TrayAction) => void,
  platform: NodeJS.Platform,
): MenuItemConstructorOptions[] {
  const text = (label: string): string =>
    platform === 'darwin' ? label : label.replace(/&/g, '&&');
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.type) {
      case 'label':
        return { id: item.id, label: text(item.label), enabled: false };
      case 'checkbox': {
        const { action } = item;
        return {
          id: item.id,
          type: 'checkbox',
          label: text(item.label),
          checked: item.checked,
          enabled: action !== null,
          click: action === null ? undefined : () => onAction(action),
        };
      }
      case 'action': {
        const { action } = item;
        return { id: item.id, label: text(item.label), click: () => onAction(action) };
      }
      case 'separator':
        return { id: item.id, type: 'separator' };
      default:
        return assertNever(item);
    }
  });
}
