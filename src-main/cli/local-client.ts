/**
 * The CLI's side of the running server's local door (`src-main/compose/local-door.ts`, docs/cli.md
 * "While the server runs"): reads `<data>/serve-local.json` — only when it belongs to this user and
 * nobody else may read it — and POSTs one command to the server over HTTPS, accepting only the
 * server certificate whose fingerprint the file names.
 */
import { readFileSync, statSync } from 'node:fs';
import { request } from 'node:https';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { DomainError, isErrorCode } from '../../src-shared/errors';
import { LOCAL_DOOR_FILE, localDoorCredentialSchema, type LocalDoorCredential } from '../compose/local-door';
import {
  checkLocalDoorAnswer,
  type LocalDoorAnswer,
  type LocalDoorCommandName,
  type LocalDoorRequest,
} from '../compose/local-door-commands';

/**
 * The credential of the server running on `dataDir`, or undefined when none is published (no
 * server, or one that does not publish it).
 * @throws DomainError('forbidden') when the file is readable by others or not this user's
 */
export function findLocalDoor(dataDir: string): LocalDoorCredential | undefined {
  const file = path.join(dataDir, LOCAL_DOOR_FILE);
  let st;
  try {
    st = statSync(file);
  } catch {
    return undefined;
  }
  if ((st.mode & 0o077) !== 0 || (process.getuid !== undefined && st.uid !== process.getuid())) {
    throw new DomainError(
      'forbidden',
      `${file}: must belong to you and be readable by you only (chmod 600); not using it`,
    );
  }
  const parsed = localDoorCredentialSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data : undefined;
}

/**
 * Sends `body` to `POST /local/v1/<command>` of the server and returns its `value`, checked
 * against the command's answer schema.
 * @throws DomainError with the server's code and message; ('station_unreachable') when it does
 *   not answer; ('internal') for an answer that does not match the schema
 */
export async function callLocalDoor<K extends LocalDoorCommandName>(
  door: LocalDoorCredential,
  command: K,
  body: LocalDoorRequest<K>,
): Promise<LocalDoorAnswer<K>> {
  return checkLocalDoorAnswer(command, await post(door, command, body));
}

function post(door: LocalDoorCredential, command: string, body: unknown): Promise<unknown> {
  const payload = JSON.stringify(body);
  const url = new URL(`/local/v1/${command}`, door.url);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        // the certificate is pinned by its fingerprint instead of a name check; a new connection
        // each time (no agent): a resumed TLS session shows no peer certificate to check
        rejectUnauthorized: false,
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          authorization: `Bearer ${door.token}`,
        },
      },
      (res) => {
        const peer = (res.socket as TLSSocket).getPeerCertificate?.();
        if (peer?.fingerprint256 !== door.fingerprint256) {
          res.destroy();
          reject(
            new DomainError(
              'station_unreachable',
              `${door.url}: its certificate is not the one ${LOCAL_DOOR_FILE} names; not sending`,
            ),
          );
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let answer: { ok?: boolean; value?: unknown; error?: { code?: string; message?: string } };
          try {
            answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof answer;
          } catch {
            reject(
              new DomainError('internal', `${door.url}: the answer is not JSON (HTTP ${res.statusCode})`),
            );
            return;
          }
          if (answer.ok === true) resolve(answer.value);
          else {
            const code = answer.error?.code ?? '';
            reject(
              new DomainError(
                isErrorCode(code) ? code : 'internal',
                answer.error?.message ?? `HTTP ${res.statusCode}`,
              ),
            );
          }
        });
      },
    );
    req.on('error', (e) =>
      reject(
        new DomainError(
          'station_unreachable',
          `the server of ${LOCAL_DOOR_FILE} (${door.url}) does not answer: ${e.message}`,
        ),
      ),
    );
    req.end(payload);
  });
}
