/**
 * Human wording for error codes (CONVENTIONS "Errors": the UI switches on `code`, never on the
 * message). The server's message names the field and quotes the input, so it is shown as detail
 * under the wording — never as raw JSON.
 */
import type { ErrorCode } from '../../src-shared/errors';

/** What the operator should read for each code: what happened and, where useful, what to do. */
export const ERROR_WORDING: Record<ErrorCode, string> = {
  invalid_id: 'This is not a gateway id. Use an ID6 (1:2:3:4), an EUI-64 (00-00-…) or a MAC address.',
  not_found: 'No such gateway is known to this station.',
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
  already_exists: 'This gateway already exists.',
  unknown_firmware: 'The firmware image is not known to the server. Upload it first.',
  duplicate_in_request: 'This gateway appears more than once in the list.',
  invalid_request: 'The request was not accepted. Check the highlighted fields.',
  invalid_json: 'The request could not be read by the server.',
  body_too_large: 'The request is too large. Send fewer gateways at once.',
  too_many_items: 'Too many gateways in one request.',
  unauthorized: 'Your session has ended. Please sign in again.',
  forbidden: 'Your role does not allow this action.',
  rate_limited: 'Too many requests. Wait a moment and try again.',
  not_configured: 'This gateway has no setup yet.',
  hsm_locked: 'The HSM is locked. Unlock it in Settings before claiming or deriving keys.',
  hsm_error: 'The HSM reported an error. Check that the token is connected.',
  store_busy: 'The station is busy. Try again in a moment.',
  store_corrupt: 'The station database is damaged. Stop and restore from a backup.',
  conflict: 'Someone else changed this at the same time. Reload and try again.',
  internal: 'Something went wrong inside the station. The details are in the station log.',
};

/** An error as the UI holds it: a code, the server's message (detail) and optional field. */
export interface UiError {
  code: ErrorCode | 'network' | 'cancelled';
  message: string;
}

const EXTRA_WORDING: Record<'network' | 'cancelled', string> = {
  network: 'The station cannot be reached. Check that it is running.',
  cancelled: 'Cancelled before it was sent.',
};

/** Human sentence for a code; unknown codes fall back to the `internal` wording. */
export function wordingOf(code: string): string {
  if (code in EXTRA_WORDING) return EXTRA_WORDING[code as keyof typeof EXTRA_WORDING];
  return ERROR_WORDING[code as ErrorCode] ?? ERROR_WORDING.internal;
}

/**
 * Converts anything a call can fail with into a {@link UiError}: an envelope error or a thrown
 * `BridgeCallError` keep their code; any other throw becomes `internal`. The HTTP transport reports
 * an unreachable station as `internal` with a message starting "station unreachable" — that one
 * case is shown as `network`, since telling the operator to read the station log would mislead.
 */
export function toUiError(e: unknown): UiError {
  if (typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string') {
    const code = (e as { code: string }).code;
    const message = String((e as { message?: unknown }).message ?? '');
    if (code === 'internal' && message.startsWith('station unreachable')) return { code: 'network', message };
    if (code in ERROR_WORDING || code in EXTRA_WORDING) return { code: code as UiError['code'], message };
    return { code: 'internal', message };
  }
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}
