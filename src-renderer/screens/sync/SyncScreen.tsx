/**
 * The Sync screen (docs/sync.md "Screens", docs/station-ui.md "Sync"): the remote link's status and
 * "Sync now", the link form (admins), the outbox by state and the conflict view of a rejected or
 * conflicting operation; then the site-pack picker and the LAN CUPS switch. Refreshes itself while open, as the sync loop changes the outbox.
 */
import { useEffect, type ReactNode } from 'react';
import { ErrorNotice, Notice } from '../../components/ErrorNotice';
import { ScreenHeader } from '../../components/ScreenHeader';
import { useSession } from '../../stores/session-store';
import { useSync } from '../../stores/sync-store';
import { ConflictView } from './ConflictView';
import { LinkSettingsCard, LinkStatusCard } from './LinkCards';
import { OutboxCard } from './OutboxCard';
import { LanDoorCard, SiteNotices, SitePackCard } from './SiteCards';
import { useSite } from '../../stores/site-store';

/** How often the open screen refreshes the status and the outbox page, ms. */
const REFRESH_EVERY_MS = 10_000;

/** The Sync screen. */
export function SyncScreen(): ReactNode {
  const { load, syncNow, busy, error, done, roundError, status, open } = useSync();
  const can = useSession((s) => s.can);
  const loadSite = useSite((s) => s.load);
  useEffect(() => {
    void loadSite();
  }, [loadSite]);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_EVERY_MS);
    return () => clearInterval(timer);
  }, [load]);
  return (
    <section className="screen" aria-label="Sync">
      <ScreenHeader title="Sync">
        {status?.linked && can('sync:now') && (
          <button type="button" className="btn" onClick={() => void syncNow()} disabled={busy}>
            {busy ? 'Syncing…' : 'Sync now'}
          </button>
        )}
      </ScreenHeader>
      {open === null && <ErrorNotice error={error} />}
      {roundError !== null && (
        <div className="notice warn" role="alert" aria-label="Round stopped">
          <strong>The round stopped; the operations stay queued.</strong>
          <div className="detail">{roundError}</div>
        </div>
      )}
      {done !== null && <Notice kind="ok">{done}</Notice>}
      <ConflictView />
      <div className="grid-2 top">
        <LinkStatusCard />
        {can('sync:link') && status !== null && <LinkSettingsCard key={status.url ?? 'unlinked'} />}
      </div>
      <OutboxCard />
      {status?.linked && (
        <>
          <SiteNotices />
          <div className="grid-2 top">
            <SitePackCard key={status.url ?? ''} />
            <LanDoorCard />
          </div>
        </>
      )}
    </section>
  );
}
