// What a desktop notification says: a title and a body about one model, or a summary of several.

/** The kinds of notification; each has a switch in the settings (`notifications: { wake, ready, failed, evicted }`). */
export type NoticeKind = 'wake' | 'ready' | 'failed' | 'evicted';

/** Every notice kind, in the order the settings page lists them. */
export const NOTICE_KINDS: readonly NoticeKind[] = ['wake', 'ready', 'failed', 'evicted'];

/** One notification to show. A click on any of them opens the dashboard. */
export interface Notice {
  readonly kind: NoticeKind;
  /** The model it is about; null for a summary of several. */
  readonly model: string | null;
  /** For `evicted`: the model that needed the room. */
  readonly forModel: string | null;
  readonly title: string;
  readonly body: string;
  /** When the event happened (epoch ms). */
  readonly at: number;
}
