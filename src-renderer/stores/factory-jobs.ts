/**
 * Pre-generation jobs (docs/factory-line.md): start a job over the next free EUIs of a batch, watch its
 * progress, rate and ETA (polled while a job runs), cancel it (the units in flight are committed)
 * and resume it after its last durable unit — also after a crash (state `interrupted`).
 */
import { create } from 'zustand';
import { tryCall } from '../api';
import { toUiError, type UiError } from '../app/error-text';
import type { JobView } from '../../src-shared/factory-channels';

/** How often the list refreshes while a job runs, ms. */
const JOB_POLL_MS = 1000;

/** `12 s`, `3 min 20 s`, `1 h 05 min`. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** True when the job can be resumed. */
export const resumable = (j: JobView) =>
  j.state === 'cancelled' || j.state === 'failed' || j.state === 'interrupted';

/** State and actions of the jobs store. */
interface JobsState {
  jobs: JobView[];
  batchId: string | null;
  error: UiError | null;
  busy: boolean;
  load(batchId: string | null): Promise<void>;
  start(input: {
    batchId: string;
    count: number;
    first?: string;
    zip: boolean;
    labels: boolean;
  }): Promise<boolean>;
  cancel(id: string): Promise<void>;
  resume(id: string): Promise<void>;
}

let timer: ReturnType<typeof setTimeout> | null = null;

/** The jobs store (polls on its own while a job of the shown batch runs). */
export const useJobs = create<JobsState>()((set, get) => {
  const poll = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (get().jobs.some((j) => j.state === 'running')) {
      timer = setTimeout(() => void get().load(get().batchId), JOB_POLL_MS);
    }
  };
  return {
    jobs: [],
    batchId: null,
    error: null,
    busy: false,

    async load(batchId) {
      set({ batchId });
      const r = await tryCall('factory:jobs', batchId === null ? {} : { batchId });
      if (get().batchId !== batchId) return;
      if (r.ok) set({ jobs: r.value, error: null });
      else set({ error: toUiError(r.error) });
      poll();
    },

    async start(input) {
      set({ busy: true, error: null });
      const r = await tryCall('factory:startJob', input);
      set({ busy: false });
      if (!r.ok) {
        set({ error: toUiError(r.error) });
        return false;
      }
      await get().load(input.batchId);
      return true;
    },

    async cancel(id) {
      const r = await tryCall('factory:cancelJob', { id });
      if (!r.ok) set({ error: toUiError(r.error) });
      await get().load(get().batchId);
    },

    async resume(id) {
      const r = await tryCall('factory:resumeJob', { id });
      if (!r.ok) set({ error: toUiError(r.error) });
      await get().load(get().batchId);
    },
  };
});
