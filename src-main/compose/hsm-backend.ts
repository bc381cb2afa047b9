/**
 * Switching a running station's HSM backend from Settings (docs/twin-hsm.md "Backends"): the
 * composition root's side of `HsmBackendControl`. It opens the chosen backend — the data
 * directory's software keystore, or a token of one of the offered PKCS#11 modules — unlocked
 * with the secret given, lets the caller's check refuse it, then puts it in the {@link HsmSwitch}
 * everything holds, closes the old one and writes the choice (never the secret) to `station.json`.
 */
import path from 'node:path';
import { DomainError } from '../../src-shared/errors';
import type { HsmBackendChoice } from '../../src-shared/ipc';
import type { HsmBackendControl } from '../core/station';
import type { HsmSwitch } from '../adapters/hsm/hsm-switch';
import { Pkcs11Hsm } from '../adapters/hsm/pkcs11-hsm';
import { availableModules, listTokens } from '../adapters/hsm/pkcs11-tokens';
import { SoftwareHsm } from '../adapters/hsm/software-hsm';
import {
  KEYSTORE_FILE,
  closeStationHsm,
  type HsmSettings,
  type StationHsm,
} from '../adapters/hsm/station-hsm';

/** What {@link createHsmBackendControl} works on. */
interface HsmBackendDeps {
  dataDir: string;
  hsm: HsmSwitch;
  /** the `hsm` member of station.json as it is now */
  settings(): HsmSettings;
  /** remembers the new choice in station.json */
  save(next: HsmSettings): Promise<void>;
  /** the new backend is in use (the USB watch follows a token) */
  onSwitched?(next: StationHsm): void;
  scryptN?: number | undefined;
}

const choiceOf = (s: HsmSettings): HsmBackendChoice =>
  s.backend === 'software'
    ? { backend: 'software' }
    : {
        backend: 'pkcs11',
        module: s.module,
        tokenLabel: s.tokenLabel ?? null,
        tokenSerial: s.tokenSerial ?? null,
      };

/** Creates the control. */
export function createHsmBackendControl(deps: HsmBackendDeps): HsmBackendControl {
  const configuredModule = () => {
    const s = deps.settings();
    return s.backend === 'pkcs11' ? s.module : undefined;
  };
  const requireOffered = (module: string) => {
    if (!availableModules(configuredModule()).some((m) => m.path === module)) {
      throw new DomainError(
        'invalid_request',
        `module: ${JSON.stringify(module)} is not one of the PKCS#11 modules this station offers (set another with gwjs init --pkcs11-module)`,
        { field: 'module' },
      );
    }
  };
  return {
    current: () => choiceOf(deps.settings()),
    modules: () => availableModules(configuredModule()),
    tokens(module) {
      requireOffered(module);
      return listTokens(module);
    },
    async use(request, accept) {
      const before = deps.settings();
      let next: HsmSettings;
      let candidate: StationHsm;
      if (request.backend === 'pkcs11') {
        requireOffered(request.module);
        next = {
          backend: 'pkcs11',
          module: request.module,
          ...(request.tokenLabel !== undefined ? { tokenLabel: request.tokenLabel } : {}),
          ...(request.tokenLabel === undefined && request.tokenSerial !== undefined
            ? { tokenSerial: request.tokenSerial }
            : {}),
          ...(before.oaepHash !== undefined ? { oaepHash: before.oaepHash } : {}),
        };
        const same =
          deps.hsm.current instanceof Pkcs11Hsm &&
          before.backend === 'pkcs11' &&
          before.module === next.module &&
          before.tokenLabel === next.tokenLabel &&
          before.tokenSerial === next.tokenSerial;
        if (same) {
          // the token in use: just unlock it (also after it was pulled and plugged in again)
          await deps.hsm.current.unlock(request.pin);
          return;
        }
        candidate = Pkcs11Hsm.open({
          module: next.module,
          tokenLabel: next.tokenLabel,
          tokenSerial: next.tokenSerial,
          oaepHash: next.oaepHash,
        });
        try {
          await candidate.unlock(request.pin);
        } catch (e) {
          await candidate.close();
          throw e;
        }
      } else {
        next = {
          backend: 'software',
          ...(before.oaepHash !== undefined ? { oaepHash: before.oaepHash } : {}),
        };
        if (deps.hsm.current instanceof SoftwareHsm) {
          await deps.hsm.current.unlock(request.passphrase);
          return;
        }
        candidate = await SoftwareHsm.open(path.join(deps.dataDir, KEYSTORE_FILE), {
          ...(deps.scryptN !== undefined ? { scryptN: deps.scryptN } : {}),
          ...(next.oaepHash !== undefined ? { oaepHash: next.oaepHash } : {}),
        });
        if (!candidate.isInitialized()) {
          throw new DomainError(
            'not_configured',
            'hsm: this data directory has no software keystore (gwjs init creates one)',
            { field: 'backend' },
          );
        }
        await candidate.unlock(request.passphrase);
      }
      try {
        await accept(candidate);
      } catch (e) {
        await closeStationHsm(candidate);
        throw e;
      }
      const previous = deps.hsm.replace(candidate);
      try {
        await deps.save(next);
      } catch (e) {
        deps.hsm.replace(previous);
        await closeStationHsm(candidate);
        throw e;
      }
      deps.onSwitched?.(candidate);
      await closeStationHsm(previous);
    },
  };
}
