/**
 * Setup: CUPS and LNS endpoints with their credentials for many gateways at once (SPEC §4.2 mixed
 * form: the common fields once, the gateways as items). Either a saved template of the owner is
 * picked (what installers do) or the form is filled in (and can be saved as a template by an admin).
 * Before anything is saved, every TLS target is checked: a handshake against the given trust.
 */
import { create } from 'zustand';
import { call, tryCall } from '../api';
import type { Reachability, SetupFieldsInput, SetupTemplate } from '../../src-shared/ipc';
import { toUiError, type UiError } from '../app/error-text';
import type { PendingRow } from './bulk-results';
import { createBulkRunner, IDLE_RUN, type BulkRunState } from './bulk-run';
import { parseIdList, type IdRow } from './id-list';
import { emptySide, isSecureUri, sideFields, sideKeys, type SideForm } from './setup-fields';

/** One reachability check of a target. */
export interface TargetCheck {
  side: 'cups' | 'lns';
  uri: string;
  state: 'checking' | 'done' | 'failed';
  result: Reachability | null;
  error: UiError | null;
}

/** State and actions of the setup store. */
interface SetupState extends BulkRunState {
  source: 'template' | 'form';
  templates: SetupTemplate[];
  templatesError: UiError | null;
  templateId: string | null;
  cups: SideForm;
  lns: SideForm;
  gatewaysText: string;
  gatewayRows: IdRow[];
  checks: TargetCheck[];
  /** apply even though a reachability check failed (explicit operator choice) */
  ignoreFailedChecks: boolean;
  problems: string[];
  message: { kind: 'ok' | 'error'; text: string; error?: UiError } | null;

  setSource(source: 'template' | 'form'): void;
  loadTemplates(ownerId: string): Promise<void>;
  pickTemplate(id: string | null): void;
  updateSide(kind: 'cups' | 'lns', patch: Partial<SideForm>): void;
  setGatewaysText(text: string): void;
  addGateways(ids: readonly string[]): void;
  setIgnoreFailedChecks(v: boolean): void;
  /** the fields the current choice would send, and what blocks it */
  currentFields(): { fields: SetupFieldsInput; problems: string[] };
  /** runs the reachability check of every TLS target of the current fields; true when all passed */
  checkTargets(): Promise<boolean>;
  saveTemplate(ownerId: string, name: string): Promise<boolean>;
  deleteTemplate(ownerId: string, id: string): Promise<void>;
  apply(ownerId: string): Promise<void>;
  cancel(): void;
  reset(): void;
}

/** The TLS targets of a set of fields: secure URIs with the trust given for them. */
function targetsOf(fields: SetupFieldsInput): { side: 'cups' | 'lns'; uri: string; trust?: string }[] {
  const out: { side: 'cups' | 'lns'; uri: string; trust?: string }[] = [];
  for (const side of ['cups', 'lns'] as const) {
    const k = sideKeys(side);
    const uri = fields[k.uri];
    if (typeof uri !== 'string' || !isSecureUri(uri)) continue;
    const trust = fields[k.trust];
    out.push(typeof trust === 'string' ? { side, uri, trust } : { side, uri });
  }
  return out;
}

const initial = {
  source: 'template' as const,
  templates: [],
  templatesError: null,
  templateId: null,
  cups: emptySide(),
  lns: emptySide(),
  gatewaysText: '',
  gatewayRows: [],
  checks: [],
  ignoreFailedChecks: false,
  problems: [],
  ...IDLE_RUN,
  message: null,
};

/** The setup store. */
export const useSetup = create<SetupState>()((set, get) => {
  const runner = createBulkRunner(set);
  return {
    ...initial,

    setSource(source) {
      set({ source, checks: [], problems: [], message: null });
    },

    async loadTemplates(ownerId) {
      try {
        const templates = await call('templates:list', { ownerId });
        const keep = templates.some((t) => t.id === get().templateId);
        set({
          templates,
          templatesError: null,
          templateId: keep ? get().templateId : (templates[0]?.id ?? null),
          source: templates.length === 0 && get().source === 'template' ? 'form' : get().source,
        });
      } catch (e) {
        set({ templates: [], templatesError: toUiError(e) });
      }
    },

    pickTemplate(id) {
      set({ templateId: id, checks: [], problems: [], message: null });
    },

    updateSide(kind, patch) {
      set({
        [kind]: { ...get()[kind], ...patch },
        checks: [],
        problems: [],
        message: null,
      } as Partial<SetupState>);
    },

    setGatewaysText(text) {
      set({
        gatewaysText: text,
        gatewayRows: parseIdList(text),
        results: [],
        cancelled: false,
        message: null,
      });
    },

    addGateways(ids) {
      const cur = get().gatewaysText.trim();
      const known = new Set(get().gatewayRows.map((r) => r.id6));
      const fresh = ids.filter((id) => !known.has(id));
      if (fresh.length) get().setGatewaysText([cur, ...fresh].filter(Boolean).join('\n'));
    },

    setIgnoreFailedChecks(v) {
      set({ ignoreFailedChecks: v });
    },

    currentFields() {
      const s = get();
      if (s.source === 'template') {
        const t = s.templates.find((x) => x.id === s.templateId);
        return t ? { fields: t.fields, problems: [] } : { fields: {}, problems: ['Pick a template.'] };
      }
      const cups = sideFields('cups', s.cups);
      const lns = sideFields('lns', s.lns);
      const problems = [...cups.problems, ...lns.problems];
      if (!s.cups.enabled && !s.lns.enabled) problems.push('Turn on the CUPS or the LNS part (or both).');
      return { fields: { ...cups.fields, ...lns.fields }, problems };
    },

    async checkTargets() {
      const { fields, problems } = get().currentFields();
      if (problems.length) {
        set({ problems });
        return false;
      }
      const targets = targetsOf(fields);
      set({
        problems: [],
        checks: targets.map((t) => ({
          side: t.side,
          uri: t.uri,
          state: 'checking',
          result: null,
          error: null,
        })),
      });
      const done = await Promise.all(
        targets.map(async (t): Promise<TargetCheck> => {
          const answer = await tryCall('setup:checkReachability', {
            uri: t.uri,
            ...(t.trust !== undefined ? { trust: t.trust } : {}),
          });
          if (!answer.ok)
            return {
              side: t.side,
              uri: t.uri,
              state: 'failed',
              result: null,
              error: toUiError(answer.error),
            };
          return {
            side: t.side,
            uri: t.uri,
            state: answer.value.ok ? 'done' : 'failed',
            result: answer.value,
            error: null,
          };
        }),
      );
      set({ checks: done });
      return done.every((c) => c.state === 'done');
    },

    async saveTemplate(ownerId, name) {
      const { fields, problems } = get().currentFields();
      if (problems.length) {
        set({ problems });
        return false;
      }
      const answer = await tryCall('templates:save', { ownerId, name, fields });
      if (!answer.ok) {
        set({
          message: { kind: 'error', text: 'The template was not saved.', error: toUiError(answer.error) },
        });
        return false;
      }
      await get().loadTemplates(ownerId);
      set({
        templateId: answer.value.id,
        message: { kind: 'ok', text: `Template “${answer.value.name}” saved.` },
      });
      return true;
    },

    async deleteTemplate(ownerId, id) {
      const answer = await tryCall('templates:delete', { ownerId, id });
      if (!answer.ok) {
        set({
          message: { kind: 'error', text: 'The template was not deleted.', error: toUiError(answer.error) },
        });
        return;
      }
      await get().loadTemplates(ownerId);
    },

    async apply(ownerId) {
      if (get().running) return;
      const { fields, problems } = get().currentFields();
      const rows = get().gatewayRows;
      const blocking = [...problems];
      if (rows.length === 0) blocking.push('List the gateways to set up.');
      if (rows.some((r) => r.problem)) blocking.push('Fix or remove the ids marked in the list.');
      set({ results: [], cancelled: false, message: null });
      if (blocking.length) {
        set({ problems: blocking });
        return;
      }
      const reachable = await get().checkTargets();
      if (!reachable && !get().ignoreFailedChecks) {
        set({
          message: {
            kind: 'error',
            text: 'Not saved: a target did not pass the reachability check. Fix the address or trust, or tick “apply anyway”.',
          },
        });
        return;
      }
      const pending: PendingRow<{ gateway: string }>[] = rows.map((r) => ({
        line: r.line,
        input: r.input,
        item: { gateway: r.input },
      }));
      const template = get().source === 'template' ? get().templateId : null;
      const run = await runner.run(pending, (items) =>
        tryCall(
          'gateways:setup',
          template !== null ? { ownerId, templateId: template, items } : { ownerId, common: fields, items },
        ),
      );
      set({ results: run.results, cancelled: run.cancelled });
    },

    cancel() {
      runner.cancel();
    },

    reset() {
      runner.abort();
      set({ ...initial, cups: emptySide(), lns: emptySide() });
    },
  };
});
