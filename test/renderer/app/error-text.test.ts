import { describe, expect, it } from 'vitest';
import { ERROR_WORDING, toUiError, wordingOf } from '../../../src-renderer/app/error-text';
import { BridgeCallError } from '../../../src-renderer/api';
import { ERROR_CODES } from '../../../src-shared/errors';

describe('wordingOf', () => {
  it('has a sentence for every code, none of them blaming gateways for what is not theirs', () => {
    for (const code of ERROR_CODES) expect(ERROR_WORDING[code].length).toBeGreaterThan(10);
    expect(wordingOf('not_configured')).not.toMatch(/gateway/i);
    expect(wordingOf('not_found')).not.toMatch(/gateway/i);
  });

  it('says what a code means on the screen that shows it', () => {
    expect(wordingOf('not_found', 'gateways')).toBe('No such gateway is known to this station.');
    expect(wordingOf('not_configured', 'factory')).toMatch(/factory line/);
    expect(wordingOf('hsm_locked', 'hsm-unlock')).toBe('Wrong passphrase. The HSM stays locked.');
    expect(wordingOf('hsm_locked')).toMatch(/HSM is locked/);
    expect(wordingOf('unauthorized', 'login')).toBe('Wrong operator name or password.');
    // a context without its own sentence for a code falls back to the general one
    expect(wordingOf('forbidden', 'factory')).toBe(ERROR_WORDING.forbidden);
    expect(wordingOf('printer_refused')).toMatch(/label printer/);
    expect(wordingOf('no_such_code')).toBe(ERROR_WORDING.internal);
  });
});

describe('toUiError', () => {
  it('keeps the code of envelopes and bridge errors, whatever the message says', () => {
    expect(toUiError({ code: 'station_unreachable', message: 'no answer' })).toEqual({
      code: 'station_unreachable',
      message: 'no answer',
    });
    // the message no longer decides anything
    expect(toUiError({ code: 'internal', message: 'station unreachable: x' }).code).toBe('internal');
    expect(toUiError(new BridgeCallError('printer_io', 'broke', 'factory:print')).code).toBe('printer_io');
    expect(toUiError({ code: 'EPIPE', message: 'x' }).code).toBe('internal');
    expect(toUiError(new Error('boom'))).toEqual({ code: 'internal', message: 'boom' });
  });
});
