import { describe, expect, it } from 'vitest';
import {
  DomainError,
  ERROR_CODES,
  HTTP_STATUS,
  PRINTER_ERROR_CODES,
  isErrorCode,
  knownErrorOf,
  toErrorBody,
} from '../../src-shared/errors';
import { PrinterError } from '../../src-main/adapters/printers/printer-error';

describe('error codes', () => {
  it('give every code an HTTP status, the station and printer families 5xx', () => {
    for (const code of ERROR_CODES) expect(HTTP_STATUS[code]).toBeGreaterThanOrEqual(400);
    expect(HTTP_STATUS.station_unreachable).toBe(503);
    expect(HTTP_STATUS.printer_unavailable).toBe(503);
    for (const code of PRINTER_ERROR_CODES) {
      expect(isErrorCode(code)).toBe(true);
      expect(HTTP_STATUS[code]).toBeGreaterThanOrEqual(502);
    }
    expect(isErrorCode('ECONNREFUSED')).toBe(false);
  });
});

describe('knownErrorOf', () => {
  it('keeps the code of a domain error and of a printer error', () => {
    expect(knownErrorOf(new DomainError('not_found', 'gateway: x'))).toEqual({
      code: 'not_found',
      message: 'gateway: x',
    });
    const refused = new PrinterError('printer_refused', 'printer 10.0.0.5:9100 refused the connection');
    expect(knownErrorOf(refused)).toEqual({
      code: 'printer_refused',
      message: 'printer 10.0.0.5:9100 refused the connection',
    });
    expect(toErrorBody(refused)).toEqual({
      error: 'printer 10.0.0.5:9100 refused the connection',
      code: 'printer_refused',
    });
  });

  it('hides anything else behind internal', () => {
    const odd = Object.assign(new Error('secret path /x'), { name: 'PrinterError', code: 'EPIPE' });
    expect(knownErrorOf(odd)).toBeUndefined();
    expect(knownErrorOf(new Error('boom'))).toBeUndefined();
    expect(toErrorBody(new Error('boom'))).toEqual({ error: 'internal error', code: 'internal' });
  });
});
