/**
 * Live CUPS activity for the Electron window: polls the activity feed and pushes only new items
 * (the HTTP bridge's renderer polls the same channel itself, with the same follower). Polling the
 * store keeps the core free of an event bus and works the same when several instances share one
 * database.
 */
import { createActivityFollower } from '../../src-shared/activity-feed';
import type { ActivityItem } from '../../src-shared/ipc';
import type { GatewayQueryService } from '../core/station';

/** A running pump; `stop()` ends polling (idempotent). */
export interface ActivityPump {
  stop(): void;
  /** one poll now (tests, and the first fill) */
  tick(): Promise<void>;
}

/** Starts polling every `intervalMs`; `emit` gets each batch of new contacts (oldest first). */
export function startActivityPump(
  activity: GatewayQueryService['activity'],
  emit: (items: ActivityItem[]) => void,
  intervalMs = 1000,
): ActivityPump {
  const follower = createActivityFollower<ActivityItem>();
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = () =>
    (running ??= (async () => {
      try {
        const fresh = follower.accept(await activity(follower.request()));
        if (fresh.length > 0 && !stopped) emit(fresh);
      } catch {
        // the store is closing or busy: try again on the next tick
      } finally {
        running = undefined;
      }
    })());
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref?.();
  void tick();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
    tick,
  };
}
