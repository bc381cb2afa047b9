/**
 * An HSM secret for non-interactive runs (docs/cli.md): the file a flag names wins, then an
 * environment variable; neither set → undefined (the caller prompts, or the HSM stays locked).
 * The software keystore's passphrase and the PKCS#11 user PIN are both read this way.
 */
import { readFileSync } from 'node:fs';
import { DomainError } from '../../../src-shared/errors';
import { errnoOf } from './keystore-file';

/** Where one secret may come from, and how its file is read. */
interface SecretSource {
  /** the file given with `flag`, if any */
  file?: string | undefined;
  /** environment to read `variable` from (default `process.env`) */
  env?: NodeJS.ProcessEnv | undefined;
  /** the command-line flag, as error texts name it (`--pin-file`) */
  flag: string;
  /** the environment variable (`GWJS_HSM_PIN`) */
  variable: string;
  /** the secret in the file's text (its first line, or the text without trailing newlines) */
  take: (text: string) => string;
  /** the field the errors name, where there is one */
  field?: string;
}

/**
 * Resolves the secret (see the module comment).
 * @throws DomainError('invalid_request') when the file cannot be read or holds an empty secret.
 */
export function resolveSecret(source: SecretSource): string | undefined {
  const { file, flag } = source;
  if (file !== undefined) {
    const attributes = source.field === undefined ? undefined : { field: source.field };
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new DomainError(
        'invalid_request',
        `${flag}: cannot read ${JSON.stringify(file)} (${errnoOf(e)})`,
        attributes,
      );
    }
    const secret = source.take(text);
    if (secret === '') throw new DomainError('invalid_request', `${flag}: ${JSON.stringify(file)} is empty`);
    return secret;
  }
  const value = (source.env ?? process.env)[source.variable];
  return value !== undefined && value !== '' ? value : undefined;
}
