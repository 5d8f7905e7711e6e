// What a tray menu item asks for when clicked: plain data, so the menu model stays a pure function.

/** An action a tray menu item carries; the tray controller turns it into a control API call. */
export type TrayAction =
  | { readonly kind: 'wake'; readonly model: string }
  | { readonly kind: 'sleep'; readonly model: string }
  /** Unload one model inside an awake Ollama server (the server stays up). */
  | { readonly kind: 'unload'; readonly server: string; readonly model: string }
  | { readonly kind: 'set-auto-sleep-paused'; readonly paused: boolean }
  /** Opens the dashboard window, on a page when given (`add`: the add-model form). */
  | { readonly kind: 'open-dashboard'; readonly page?: 'add' }
  | { readonly kind: 'quit' };

/** One line of the tray menu. `label` items are greyed-out information. */
export type TrayMenuItem =
  | { readonly type: 'label'; readonly id: string; readonly label: string }
  | {
      readonly type: 'checkbox';
      readonly id: string;
      readonly label: string;
      readonly checked: boolean;
      /** Null while nothing can be done (a wake in progress, a model going to sleep): the item is disabled. */
      readonly action: TrayAction | null;
    }
  | {
      readonly type: 'action';
      readonly id: string;
      readonly label: string;
      readonly action: TrayAction;
    }
  | { readonly type: 'separator'; readonly id: string };
