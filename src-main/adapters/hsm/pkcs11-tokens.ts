/**
 * What Settings offers for a PKCS#11 backend (docs/twin-hsm.md "Backends"): the known module
 * libraries that exist on this machine, and the tokens present in a module's slots (label, serial,
 * model, PIN state). Loading a library runs its code in this process, so the UI may only choose
 * among these known paths (or the module `station.json` already names); any other module is set
 * with `gwjs init --pkcs11-module PATH`.
 */
import { existsSync } from 'node:fs';
import type { Pkcs11ModuleView, TokenSlotView } from '../../../src-shared/ipc';
import { P11, acquireModule, releaseModule, rescanIfSoleUser, toDomainError } from './pkcs11-module';

/** Where the modules the station knows are installed (Debian/Ubuntu, Fedora, macOS Homebrew, /usr/local). */
const KNOWN_MODULES: readonly Pkcs11ModuleView[] = [
  { name: 'SoftHSM2', path: '/usr/lib/softhsm/libsofthsm2.so' },
  { name: 'SoftHSM2', path: '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so' },
  { name: 'SoftHSM2', path: '/usr/lib64/pkcs11/libsofthsm2.so' },
  { name: 'SoftHSM2', path: '/usr/local/lib/softhsm/libsofthsm2.so' },
  { name: 'SoftHSM2', path: '/opt/homebrew/lib/softhsm/libsofthsm2.so' },
  { name: 'OpenSC (Nitrokey HSM, SmartCard-HSM)', path: '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so' },
  { name: 'OpenSC (Nitrokey HSM, SmartCard-HSM)', path: '/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so' },
  { name: 'OpenSC (Nitrokey HSM, SmartCard-HSM)', path: '/usr/lib64/opensc-pkcs11.so' },
  { name: 'OpenSC (Nitrokey HSM, SmartCard-HSM)', path: '/Library/OpenSC/lib/opensc-pkcs11.so' },
  { name: 'YubiHSM 2', path: '/usr/lib/x86_64-linux-gnu/pkcs11/yubihsm_pkcs11.so' },
  { name: 'YubiHSM 2', path: '/usr/lib64/pkcs11/yubihsm_pkcs11.so' },
  { name: 'YubiHSM 2', path: '/usr/local/lib/pkcs11/yubihsm_pkcs11.so' },
  { name: 'YubiHSM 2', path: '/usr/local/lib/yubihsm_pkcs11.so' },
];

/**
 * The known modules present here, plus `configured` (the module `station.json` names) when it is
 * not one of them. `exists` is injectable for tests.
 */
export function availableModules(
  configured: string | undefined,
  exists: (path: string) => boolean = existsSync,
): Pkcs11ModuleView[] {
  const out = KNOWN_MODULES.filter((m) => exists(m.path));
  if (configured !== undefined && !out.some((m) => m.path === configured)) {
    out.unshift({ name: 'configured module', path: configured });
  }
  return out;
}

/**
 * The tokens present in the slots of `module` (loaded for the call; rescanned when nothing else
 * uses it, so a token plugged in or created since is seen).
 * @throws DomainError('not_configured') when the library cannot be loaded; a CKR_* DomainError otherwise.
 */
export function listTokens(module: string): TokenSlotView[] {
  const m = acquireModule(module);
  try {
    rescanIfSoleUser(module);
    let slots;
    try {
      slots = m.C_GetSlotList(true);
    } catch (e) {
      throw toDomainError(e, 'C_GetSlotList');
    }
    const out: TokenSlotView[] = [];
    for (const slot of slots) {
      try {
        const t = m.C_GetTokenInfo(slot);
        out.push({
          label: t.label.trim(),
          serial: t.serialNumber.trim(),
          model: t.model.trim(),
          manufacturer: t.manufacturerID.trim(),
          pinInitialized: (t.flags & P11.CKF_USER_PIN_INITIALIZED) !== 0,
          pinLocked: (t.flags & P11.CKF_USER_PIN_LOCKED) !== 0,
        });
      } catch {
        // a slot whose token went away between the two calls: not listed
      }
    }
    return out;
  } finally {
    releaseModule(module);
  }
}
