/**
 * Owner manifests (docs/factory-line.md), both sides:
 * - export (station): the batch's EUIs and PINs encrypted to the owner's P-256 public key by the
 *   station, downloaded as a file;
 * - import (owner, Claim screen): the manifest and the owner's private key are read in this
 *   browser and decrypted here with WebCrypto (the key never leaves the machine), the file's
 *   integrity is checked (AES-GCM over content and header), and the gateways become a claim list.
 */
import { create } from 'zustand';
import { tryCall } from '../api';
import { toUiError, type UiError } from '../app/error-text';
import type { UnitState } from '../../src-shared/factory-channels';
import {
  openManifest,
  privateKeyPkcs8FromPem,
  readManifestHeader,
  type ManifestEntry,
  type ManifestHeader,
} from '../../src-shared/manifest';

/** The claim list text for gateways of an opened manifest (`gateway,pin` CSV the claim screen reads). */
export function claimListOf(gateways: readonly ManifestEntry[]): string {
  return ['gateway,pin', ...gateways.map((g) => `${g.id6},${g.pin}`)].join('\n');
}

/** Offers `text` as a file download. */
export function download(fileName: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** State and actions of the manifest store. */
interface ManifestState {
  // export
  ownerKey: string;
  format: 'csv' | 'json';
  states: UnitState[];
  exporting: boolean;
  exported: { fileName: string; count: number; kid: string } | null;
  exportError: UiError | null;
  setOwnerKey(text: string): void;
  setFormat(format: 'csv' | 'json'): void;
  setStates(states: UnitState[]): void;
  exportBatch(batchId: string): Promise<void>;
  // import
  fileName: string | null;
  fileText: string | null;
  header: ManifestHeader | null;
  keyName: string | null;
  keyText: string | null;
  opened: ManifestEntry[] | null;
  importError: UiError | null;
  setManifest(name: string, text: string): void;
  setKey(name: string, text: string): void;
  open(): Promise<ManifestEntry[] | null>;
  resetImport(): void;
}

/** The import side before a manifest is picked (and after Reset). */
const NO_IMPORT = {
  fileName: null,
  fileText: null,
  header: null,
  keyName: null,
  keyText: null,
  opened: null,
  importError: null,
} satisfies Partial<ManifestState>;

/** The manifest store. */
export const useManifest = create<ManifestState>()((set, get) => ({
  ownerKey: '',
  format: 'csv',
  states: ['personalized', 'printed', 'verified'],
  exporting: false,
  exported: null,
  exportError: null,
  setOwnerKey(text) {
    set({ ownerKey: text, exportError: null });
  },
  setFormat(format) {
    set({ format });
  },
  setStates(states) {
    set({ states });
  },
  async exportBatch(batchId) {
    const s = get();
    if (s.exporting || s.states.length === 0) return;
    set({ exporting: true, exportError: null, exported: null });
    const r = await tryCall('factory:exportManifest', {
      batchId,
      format: s.format,
      states: s.states,
      ownerPublicKey: s.ownerKey,
    });
    set({ exporting: false });
    if (!r.ok) {
      set({ exportError: toUiError(r.error) });
      return;
    }
    download(r.value.fileName, r.value.text);
    set({ exported: { fileName: r.value.fileName, count: r.value.count, kid: r.value.kid } });
  },

  ...NO_IMPORT,
  setManifest(name, text) {
    try {
      set({
        fileName: name,
        fileText: text,
        header: readManifestHeader(text).header,
        opened: null,
        importError: null,
      });
    } catch (e) {
      set({ fileName: name, fileText: null, header: null, opened: null, importError: toUiError(e) });
    }
  },
  setKey(name, text) {
    set({ keyName: name, keyText: text, opened: null, importError: null });
  },
  async open() {
    const { fileText, keyText } = get();
    if (fileText === null || keyText === null) return null;
    try {
      const key = privateKeyPkcs8FromPem(keyText);
      const opened = await openManifest(fileText, key);
      key.fill(0);
      set({ opened: opened.gateways, header: opened.header, importError: null });
      return opened.gateways;
    } catch (e) {
      set({ opened: null, importError: toUiError(e) });
      return null;
    }
  },
  resetImport() {
    set(NO_IMPORT);
  },
}));
