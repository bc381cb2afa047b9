/**
 * Administering the station's HSM from Settings (docs/twin-hsm.md "Backends", docs/station-ui.md):
 * which backend is in use, the PKCS#11 modules and tokens there are, switching to a backend with
 * its PIN or passphrase, the keys it holds (label, kind, KCV — never a value), and the batches the
 * ceremony's sending side may wrap out. The PIN goes to the token and nowhere else; wrong ones are
 * throttled and audited with the passphrase's (`hsm-control.ts`).
 */
import { DomainError, isDomainError } from '../../../src-shared/errors';
import type {
  CeremonyBatchView,
  HsmBackendChoice,
  HsmKeyView,
  ParsedRequestOf,
  Pkcs11ModuleView,
  TokenSlotView,
} from '../../../src-shared/ipc';
import type { BatchRow } from '../api';
import { AuditWriter } from '../audit';
import type { RequestContext } from '../context';
import type { Clock, Hsm, HsmStatus, Store } from '../ports';
import { recordWrongSecret, requireUnthrottled } from './hsm-control';

/** What `hsm:use` asks for. */
export type HsmUseRequest = ParsedRequestOf<'hsm:use'>;

/**
 * The composition root's side of switching backends (`compose/hsm-backend.ts`): it knows the data
 * directory, `station.json` and the PKCS#11 libraries of this machine.
 */
export interface HsmBackendControl {
  current(): HsmBackendChoice;
  /** known PKCS#11 libraries present on this machine (and the configured one) */
  modules(): Pkcs11ModuleView[];
  /**
   * Tokens in the slots of `module`.
   * @throws DomainError('invalid_request') for a module that is not offered
   */
  tokens(module: string): TokenSlotView[];
  /**
   * Opens the chosen backend unlocked with its secret, lets `accept` refuse it (then it is closed
   * and nothing changed), else makes it the station's HSM and remembers the choice (without the
   * secret) in `station.json`.
   */
  use(request: HsmUseRequest, accept: (candidate: Hsm) => Promise<void>): Promise<void>;
}

/** Settings → HSM. */
export interface HsmAdminService {
  /** The live HSM state (every role: the top bar polls it). */
  state(): Promise<HsmStatus>;
  backend(): Promise<{ current: HsmBackendChoice; modules: Pkcs11ModuleView[] }>;
  tokens(module: string): Promise<TokenSlotView[]>;
  /**
   * Switches to a backend. Refused (`conflict`) when the new one does not hold the root key of
   * every batch — switching would stop CUPS for those gateways.
   * @throws DomainError('hsm_pin_incorrect' | 'hsm_pin_locked' | 'hsm_token_removed' | 'hsm_locked' | 'rate_limited' | 'conflict' | 'not_configured')
   */
  use(ctx: RequestContext, request: HsmUseRequest): Promise<HsmStatus>;
  keys(): Promise<HsmKeyView[]>;
  /** Batches with whether their root key can still be wrapped out (the ceremony's sending side). */
  ceremonyBatches(ctx: RequestContext): Promise<CeremonyBatchView[]>;
}

/** Dependencies of {@link createHsmAdminService}. */
interface HsmAdminDeps {
  store: Store;
  clock: Clock;
  hsm: Hsm;
  /** absent where the backend cannot be switched (then `hsm:use` is not_configured) */
  backend?: HsmBackendControl | undefined;
  batches?: { list(ctx: RequestContext): Promise<BatchRow[]> } | undefined;
}

const SOFTWARE_ONLY: HsmBackendControl = {
  current: () => ({ backend: 'software' }),
  modules: () => [],
  tokens: () => {
    throw new DomainError('not_configured', 'hsm: this station cannot switch its HSM backend');
  },
  use: () =>
    Promise.reject(new DomainError('not_configured', 'hsm: this station cannot switch its HSM backend')),
};

/** Creates the service. */
export function createHsmAdminService(deps: HsmAdminDeps): HsmAdminService {
  const control = deps.backend ?? SOFTWARE_ONLY;
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    state: () => deps.hsm.status(),
    backend: async () => ({ current: control.current(), modules: control.modules() }),
    tokens: async (module) => control.tokens(module),

    async use(ctx, request) {
      await requireUnthrottled(deps);
      const handles = await deps.store.read((tx) =>
        tx.all<{ id: string; brk_handle: string }>('SELECT id, brk_handle FROM batches ORDER BY first_eui'),
      );
      try {
        await control.use(request, async (candidate) => {
          const missing: string[] = [];
          for (const b of handles) if (!(await candidate.hasKey(b.brk_handle))) missing.push(b.id);
          if (missing.length > 0) {
            throw new DomainError(
              'conflict',
              `hsm: the chosen HSM does not hold the root key of ${missing.length} batch(es) (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}); CUPS would stop for their gateways — nothing changed`,
              { field: 'backend' },
            );
          }
        });
      } catch (e) {
        if (isDomainError(e) && (e.code === 'hsm_pin_incorrect' || e.code === 'hsm_locked')) {
          await recordWrongSecret(deps, ctx);
        }
        throw e;
      }
      const status = await deps.hsm.status();
      const detail =
        request.backend === 'pkcs11'
          ? {
              backend: 'pkcs11',
              module: request.module,
              tokenLabel: request.tokenLabel ?? null,
              tokenSerial: request.tokenSerial ?? null,
              keyCount: status.keyCount,
            }
          : { backend: 'software', keyCount: status.keyCount };
      await deps.store.transaction((tx) =>
        new AuditWriter(tx, ctx, iso(deps.clock.now())).add('hsm.backend', null, detail),
      );
      return status;
    },

    async keys() {
      return (await deps.hsm.listKeys()).map((k) => ({
        handle: k.handle,
        label: k.label,
        kind: k.kind,
        kcv: k.kcv,
        exportable: k.exportable,
        fingerprint: k.fingerprint,
      }));
    },

    async ceremonyBatches(ctx) {
      if (deps.batches === undefined) return [];
      const rows = await deps.batches.list(ctx);
      const handles = new Map(
        (
          await deps.store.read((tx) =>
            tx.all<{ id: string; brk_handle: string }>('SELECT id, brk_handle FROM batches'),
          )
        ).map((r) => [r.id, r.brk_handle]),
      );
      const exportable = new Set(
        (await deps.hsm.listKeys()).filter((k) => k.kind === 'root' && k.exportable).map((k) => k.handle),
      );
      return rows.map((r) => ({ ...r, exportable: exportable.has(handles.get(r.id) ?? '') }));
    },
  };
}
