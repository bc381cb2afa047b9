/**
 * Audit records written by the station services (logins, operator and template changes) into the
 * shared `audit_log` table (0001-initial.sql): id = max + 1 inside the writing transaction, so a
 * journal replay is deterministic; `detail` never holds a secret.
 */
import type { Tx } from '../ports';

/** One station audit record. */
export interface StationAuditRecord {
  at: string;
  actor: string;
  address?: string | null | undefined;
  action: string;
  target?: string | null | undefined;
  detail?: Record<string, unknown>;
}

/** Appends one record inside `tx`. */
export async function appendStationAudit(tx: Tx, record: StationAuditRecord): Promise<void> {
  const row = await tx.get<{ next: number | string }>(
    'SELECT COALESCE(MAX(id), 0) + 1 AS next FROM audit_log',
  );
  await tx.run(
    'INSERT INTO audit_log (id, at, actor, address, action, target, detail) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [
      Number(row?.next ?? 1),
      record.at,
      record.actor,
      record.address ?? null,
      record.action,
      record.target ?? null,
      JSON.stringify(record.detail ?? {}),
    ],
  );
}
