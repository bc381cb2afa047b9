/**
 * Human wording for error codes (CONVENTIONS "Errors": the UI switches on `code`, never on the
 * message). The server's message names the field and quotes the input, so it is shown as detail
 * under the wording — never as raw JSON. Where a code means something more precise on one screen
 * (a wrong passphrase in the HSM unlock form, a missing output folder on the factory line), the
 * screen names its {@link ErrorContext} and gets that screen's sentence instead.
 */
import { isErrorCode, type ErrorCode } from '../../src-shared/errors';

/** What the operator should read for each code: what happened and, where useful, what to do. */
export const ERROR_WORDING: Record<ErrorCode, string> = {
  invalid_id: 'This is not a gateway id. Use an ID6 (1:2:3:4), an EUI-64 (00-00-…) or a MAC address.',
  not_found: 'This was not found on the station.',
  not_claimed: 'This gateway is not claimed by this owner.',
  claimed_by_other: 'Another owner has already claimed this gateway. They must delete it first.',
  bad_claim: 'The PIN does not match this gateway. Check the label and try again.',
  claim_locked: 'Too many wrong PINs for this gateway. Claiming is locked for a while; try again later.',
  invalid_uri:
    'The address is not valid. Use https://host:port for CUPS and wss://host:port for LNS, no path.',
  trust_required: 'A secure address needs a trust certificate (the CA that signed the server).',
  invalid_credential: 'A certificate, key or token was not accepted. Check the files you picked.',
  add_limit: 'This owner has reached the limit of added gateways.',
  batch_conflict: 'This id belongs to a factory batch; claim it with its PIN instead of adding it.',
  already_exists: 'This already exists.',
  unknown_firmware: 'The firmware image is not known to the server. Upload it first.',
  duplicate_in_request: 'This gateway appears more than once in the list.',
  invalid_request: 'The station did not accept this input; the reason is below.',
  invalid_json: 'The request could not be read by the server.',
  body_too_large: 'The request is too large. Send fewer gateways at once.',
  too_many_items: 'Too many gateways in one request.',
  unauthorized: 'Your session has ended. Please sign in again.',
  forbidden: 'Your role does not allow this action.',
  rate_limited: 'Too many requests. Wait a moment and try again.',
  not_configured: 'This part of the station is not set up yet; the detail below says what is missing.',
  idempotency_mismatch:
    'This operation id was already used for a different change; the station gives every operation its own id.',
  hsm_locked: 'The HSM is locked. An admin unlocks it in Settings.',
  hsm_error: 'The HSM reported an error. Check that the token is connected.',
  hsm_pin_incorrect: 'Wrong token PIN. The token stays locked; it blocks itself after a few wrong PINs.',
  hsm_pin_locked:
    'The token’s PIN is blocked after too many wrong tries. Its security officer must unblock it.',
  hsm_token_removed: 'The HSM token was removed. Plug it in again and unlock it with its PIN.',
  hsm_mechanism_unsupported:
    'The token does not support an operation this station needs; the detail below names it.',
  hsm_token_full: 'The token has no room for another key. Remove unused keys or use a larger token.',
  key_not_exportable:
    'This root key cannot leave its HSM (it was received from a twin or sealed). Export it from the station that created it.',
  ceremony_tampered: 'The wrapped key file was changed or damaged. Nothing was imported; ask for a new file.',
  ceremony_wrong_key:
    'The wrapped key file was made for another transport key. Send the sender this station’s transport.pub.',
  kcv_mismatch:
    'The key check values differ: the two stations do not hold the same root key. Nothing was imported.',
  share_invalid: 'A backup share is damaged or belongs to another backup; the detail below names it.',
  shares_insufficient: 'Not enough backup shares: restoring needs the number of shares printed on each page.',
  store_busy: 'The station is busy. Try again in a moment.',
  store_corrupt: 'The station database is damaged. Stop and restore from a backup.',
  storage_full:
    'The station’s disk is full: nothing was saved. Free some space; the station resumes by itself.',
  conflict: 'Someone else changed this at the same time. Reload and try again.',
  internal: 'Something went wrong inside the station. The details are in the station log.',
  station_unreachable: 'The station cannot be reached. Check that it is running and the network is up.',
  printer_refused: 'The label printer refused the connection. Check that it is on and the port is right.',
  printer_timeout: 'The label printer did not answer in time. Check that it is on and ready.',
  printer_unreachable: 'The label printer cannot be reached. Check its address and the network.',
  printer_unavailable: 'No label printer is available. Check the cable and the printer settings.',
  printer_io: 'The connection to the label printer broke while printing. Print the label again.',
};

/** Codes the UI makes up itself (no server involved). */
type LocalErrorCode = 'cancelled' | 'pin_missing' | 'pin_invalid';

/** An error as the UI holds it: a code and the server's message (shown as detail). */
export interface UiError {
  code: ErrorCode | LocalErrorCode;
  message: string;
}

const LOCAL_WORDING: Record<LocalErrorCode, string> = {
  cancelled: 'Cancelled before it was sent.',
  pin_missing: 'This line has no claim PIN. Add the PIN printed on the gateway’s label.',
  pin_invalid: 'This is not a claim PIN (8 characters such as 6CVH-EQSA); the reason is beside it.',
};

/**
 * Where an error is shown, when that changes what a code means to the operator. Screens without a
 * context get {@link ERROR_WORDING}.
 */
export type ErrorContext = 'gateways' | 'login' | 'first-run' | 'hsm-unlock' | 'factory' | 'ceremony';

/** Per-context sentences that replace the general wording of a code. */
const CONTEXT_WORDING: Record<ErrorContext, Partial<Record<UiError['code'], string>>> = {
  gateways: {
    not_found: 'No such gateway is known to this station.',
    already_exists: 'This gateway already exists.',
    invalid_request: 'The station did not accept this gateway; the reason is beside it.',
  },
  login: {
    unauthorized: 'Wrong operator name or password.',
    rate_limited: 'Too many failed sign-ins. Wait a few minutes and try again.',
  },
  'first-run': {
    unauthorized: 'The setup password is not right.',
  },
  'hsm-unlock': {
    hsm_locked: 'Wrong passphrase. The HSM stays locked.',
    rate_limited: 'Too many wrong passphrases. Wait a few minutes and try again.',
    not_configured: 'This station’s HSM cannot be unlocked from here.',
  },
  ceremony: {
    batch_conflict:
      'The batch range overlaps a batch this station has already. Nothing was imported; the detail below names it.',
    not_found: 'This station holds no such key: the file was made for another transport key or batch.',
    invalid_request: 'The station could not read this file; the detail below says why. Nothing was changed.',
    conflict: 'The ceremony record of this batch is not intact; the detail below says where.',
  },
  factory: {
    not_found: 'Not found on this line: no such batch, unit or job.',
    not_configured:
      'The factory line cannot do this with its current settings; the detail below names what to fix.',
    already_exists: 'This batch or unit already exists.',
    batch_conflict: 'The range overlaps a batch that exists already; the detail below names it.',
    conflict: 'Not possible with the units and jobs as they stand; the detail below says what is in the way.',
  },
};

/** Human sentence for a code, in `context` when given; unknown codes get the `internal` wording. */
export function wordingOf(code: string, context?: ErrorContext): string {
  if (context !== undefined) {
    const special = CONTEXT_WORDING[context][code as UiError['code']];
    if (special !== undefined) return special;
  }
  if (code in LOCAL_WORDING) return LOCAL_WORDING[code as LocalErrorCode];
  return isErrorCode(code) ? ERROR_WORDING[code] : ERROR_WORDING.internal;
}

/**
 * Converts anything a call can fail with into a {@link UiError}: an envelope error or a thrown
 * `BridgeCallError` keeps its code (an unreachable station is `station_unreachable`, set by the
 * transport); unknown codes and any other throw become `internal`.
 */
export function toUiError(e: unknown): UiError {
  if (typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string') {
    const code = (e as { code: string }).code;
    const message = String((e as { message?: unknown }).message ?? '');
    if (isErrorCode(code) || code in LOCAL_WORDING) return { code: code as UiError['code'], message };
    return { code: 'internal', message };
  }
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}
