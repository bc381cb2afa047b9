/**
 * The running server's door for read-only CLI commands on the same machine (docs/cli.md "While
 * the server runs"). `gwjs serve` holds the store lock (DESIGN §3), so read-only commands such as
 * `gwjs batch list` and `gwjs label` cannot open the store themselves; instead they ask the server:
 *
 * - at start the server writes `<data>/serve-local.json` (mode 0600, in the user's data directory):
 *   its loopback URL, the SHA-256 fingerprint of its certificate and a fresh random token; it
 *   removes the file when it stops. Only the user who can read the data directory can use it.
 * - `POST /local/v1/<command>` with `Authorization: Bearer <token>` answers only over a connection
 *   from this machine (the peer address is a loopback address or the address the server was
 *   reached on); the token is compared in constant time, before the body is read. Anything else
 *   is 401/403.
 * - commands: the table of `local-door-commands.ts` (`batches` for `gwjs batch list`, `label` for
 *   `gwjs label`, …), each acting as the CLI principal with the address `cli via gwjs serve` — so a
 *   label render or a manifest export is audited by the server as the core audits it.
 */
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { rm, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { httpStatusOf, isDomainError } from '../../src-shared/errors';
import type { Station } from './station';
import type { FactoryLineServices } from '../core/factory-line';
import {
  LOCAL_DOOR_COMMANDS,
  runLocalDoorCommand,
  type LocalDoorCommandName,
  type LocalDoorDeps,
} from './local-door-commands';

/** The credential file's name in the data directory. */
export const LOCAL_DOOR_FILE = 'serve-local.json';

/** What the credential file holds. */
export const localDoorCredentialSchema = z.object({
  url: z.string(),
  fingerprint256: z.string(),
  token: z.string().min(32),
  pid: z.number(),
});
/** What the credential file holds. */
export type LocalDoorCredential = z.infer<typeof localDoorCredentialSchema>;

const isLoopback = (a: string | undefined): boolean =>
  a !== undefined && (a === '::1' || a.startsWith('127.') || a.startsWith('::ffff:127.'));

/** The door: mount it with {@link LocalDoor.register}, then {@link LocalDoor.publish} once listening. */
export class LocalDoor {
  readonly #token = randomBytes(32).toString('base64url');
  readonly #digest = createHash('sha256').update(this.#token).digest();
  readonly #file: string;
  readonly #deps: LocalDoorDeps;
  #fingerprint256: string;
  #url: string | undefined;

  constructor(deps: { station: Station; factory: FactoryLineServices; fingerprint256: string }) {
    const { station, factory } = deps;
    this.#file = path.join(station.dataDir, LOCAL_DOOR_FILE);
    this.#deps = {
      core: station.core,
      // the backend in use: Settings may switch it while the server runs
      get hsm() {
        return station.hsm;
      },
      store: station.store,
      storeKind: station.storeKind,
      factory: () => factory,
      ctx: { principal: station.cliContext.principal, address: 'cli via gwjs serve' },
    };
    this.#fingerprint256 = deps.fingerprint256;
  }

  /** The server got a new certificate (Settings → Network): the published file pins it from now on. */
  async certificateChanged(fingerprint256: string): Promise<void> {
    this.#fingerprint256 = fingerprint256;
    if (this.#url !== undefined) await this.#write(this.#url);
  }

  /**
   * Mounts `POST /local/v1/<name>` for every command of the table; the caller is admitted (this
   * machine, the token) before its body is read.
   */
  register(app: FastifyInstance): void {
    for (const [name, command] of Object.entries(LOCAL_DOOR_COMMANDS)) {
      app.post(
        `/local/v1/${name}`,
        {
          onRequest: (req, reply, done) => this.#admit(req, reply, done),
          ...('bodyLimit' in command ? { bodyLimit: command.bodyLimit } : {}),
        },
        async (req, reply) => {
          try {
            const value = await runLocalDoorCommand(name as LocalDoorCommandName, this.#deps, req.body);
            return { ok: true, value };
          } catch (e) {
            if (!isDomainError(e)) throw e;
            return reply.code(httpStatusOf(e.code)).send(failure(e.code, e.message));
          }
        },
      );
    }
  }

  /**
   * Writes the credential file (0600, written aside then renamed) for the server at `url`; one
   * listening on every interface (`wildcard`) is reached on 127.0.0.1.
   */
  async publish(url: string, wildcard = false): Promise<void> {
    const u = new URL(url);
    if (wildcard) u.hostname = '127.0.0.1';
    this.#url = u.origin;
    await this.#write(u.origin);
  }

  async #write(url: string): Promise<void> {
    const credential: LocalDoorCredential = {
      url,
      fingerprint256: this.#fingerprint256,
      token: this.#token,
      pid: process.pid,
    };
    const tmp = `${this.#file}.tmp-${process.pid}`;
    await writeFile(tmp, `${JSON.stringify(credential)}\n`, { mode: 0o600 });
    await rename(tmp, this.#file);
  }

  /** Removes the credential file (the server stops). */
  async close(): Promise<void> {
    await rm(this.#file, { force: true });
  }

  #admit(req: FastifyRequest, reply: FastifyReply, done: () => void): void {
    const peer = req.socket.remoteAddress;
    if (!isLoopback(peer) && peer !== req.socket.localAddress) {
      void reply.code(403).send(failure('forbidden', 'the local door answers only this machine'));
      return;
    }
    const given = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const digest = createHash('sha256').update(given).digest();
    if (!timingSafeEqual(digest, this.#digest)) {
      void reply
        .code(401)
        .send(failure('unauthorized', `authorization: not the token of ${LOCAL_DOOR_FILE}`));
      return;
    }
    done();
  }
}

const failure = (code: string, message: string) => ({ ok: false, error: { code, message } });
