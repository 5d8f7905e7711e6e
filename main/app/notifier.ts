// Desktop notifications from the event stream: texts and throttle from main/core/notify, shown with Electron's Notification.
import type { ApiEvent, NotificationSettings } from '../core/api/contract';
import type { Clock } from '../core/clock/clock';
import type { Notice } from '../core/notify/notice';
import { notificationFor } from '../core/notify/notification-text';
import { NotificationThrottle } from '../core/notify/notification-throttle';

/** The part of Electron's `Notification` used here. */
export interface NotificationLike {
  on(event: 'click' | 'close', listener: () => void): unknown;
  show(): void;
}

/** Makes a native notification (`new Notification(options)`). */
export type CreateNotification = (options: {
  title: string;
  body: string;
  silent: boolean;
}) => NotificationLike;

/** Notifications kept referenced at most (a throttled app shows a handful an hour). */
const MAX_KEPT_NOTIFICATIONS = 20;

/** Shows notices as desktop notifications; a click opens the dashboard. */
export class DesktopNotifier {
  private readonly throttle: NotificationThrottle;
  /**
   * Shown notifications stay referenced until clicked or closed: one that is garbage-collected
   * loses its click handler (electron/electron#16922, #12690). Some platforms never say `close`,
   * so only the latest few are kept.
   */
  private readonly shown = new Set<NotificationLike>();

  constructor(
    private readonly clock: Clock,
    private readonly create: CreateNotification,
    private readonly settings: () => NotificationSettings,
    onClick: () => void,
  ) {
    this.throttle = new NotificationThrottle(clock, (notice) => this.display(notice, onClick));
  }

  /** Offers an event of the control API's stream; most are not news. */
  handle(event: ApiEvent): void {
    const notice = notificationFor(event, this.settings(), this.clock.now());
    if (notice !== null) this.throttle.push(notice);
  }

  /** Drops waiting notices (quitting). */
  dispose(): void {
    this.throttle.dispose();
    this.shown.clear();
  }

  private display(notice: Notice, onClick: () => void): void {
    // Failures deserve a sound; routine wakes do not.
    const notification = this.create({
      title: notice.title,
      body: notice.body,
      silent: notice.kind !== 'failed',
    });
    this.shown.add(notification);
    for (const old of this.shown) {
      if (this.shown.size <= MAX_KEPT_NOTIFICATIONS) break;
      this.shown.delete(old);
    }
    notification.on('click', () => {
      this.shown.delete(notification);
      onClick();
    });
    notification.on('close', () => this.shown.delete(notification));
    notification.show();
  }
}
