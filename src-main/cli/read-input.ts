/** Reading files named on the command line (SPEC §7: a file that cannot be read is bad input, exit 2). */
import { readFileSync } from 'node:fs';
import { DomainError } from '../../src-shared/errors';

/** Reads a file a command was pointed at; a missing or unreadable file is `invalid_request` naming the flag. */
export function readInputFile(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new DomainError(
      'invalid_request',
      `${flag}: cannot read ${JSON.stringify(file)} (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
    );
  }
}
