import { describe, expect, it } from 'vitest';
import type { BridgeCaller } from '../../src-main/bridge/caller';
import { dispatch } from '../../src-main/bridge/dispatch';
import type { HandlerTable } from '../../src-main/bridge/handlers';
import { PrinterError } from '../../src-main/adapters/printers/printer-error';
import { DomainError } from '../../src-shared/errors';

const admin: BridgeCaller = { name: 'root', role: 'admin', ownerId: null, transport: 'ipc' };

/** A table whose `factory:print` throws what the test gives it (the other channels are not called). */
function throwing(e: unknown): HandlerTable {
  return {
    'factory:print': () => Promise.reject(e),
  } as unknown as HandlerTable;
}

describe('dispatch', () => {
  it('answers a printer failure with its printer code, not internal', async () => {
    const table = throwing(new PrinterError('printer_timeout', 'printer 10.0.0.5:9100: no answer in 5 s'));
    expect(await dispatch(table, admin, 'factory:print', { gateway: '::1' })).toEqual({
      ok: false,
      error: { code: 'printer_timeout', message: 'printer 10.0.0.5:9100: no answer in 5 s' },
    });
  });

  it('keeps domain errors and hides unexpected ones behind internal', async () => {
    expect(
      await dispatch(throwing(new DomainError('not_found', 'gateway: ::1')), admin, 'factory:print', {
        gateway: '::1',
      }),
    ).toEqual({ ok: false, error: { code: 'not_found', message: 'gateway: ::1' } });
    const logged: unknown[] = [];
    const logger = { error: (o: unknown) => void logged.push(o) } as never;
    expect(
      await dispatch(throwing(new Error('/secret/path')), admin, 'factory:print', { gateway: '::1' }, logger),
    ).toEqual({ ok: false, error: { code: 'internal', message: 'factory:print: internal error' } });
    expect(logged).toHaveLength(1);
  });
});
