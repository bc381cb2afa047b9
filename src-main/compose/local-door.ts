/**
 * The running server's door for read-only CLI commands on the same machine (docs/cli.md "While
 * the server runs"). `gwjs serve` holds the store lock (DESIGN §3), so `gwjs batch list` and
 * `gwjs label` cannot open the store themselves; instead they ask the server:
 *
 * - at start the server writes `<data>/serve-local.json` (mode 0600, in the user's data directory):
 *   its loopback URL, the SHA-256 fingerprint of its certificate and a fresh random token; it
 *   removes the file when it stops. Only the user who can read the data directory can use it.
 * - `POST /local/v1/<command>` with `Authorization: Bearer <token>` answers only over a connection
 *   from this machine (the peer address is a loopback address or the address the server was
 *   reached on); the token is compared in constant time. Anything else is 401/403.
 * - commands: `batches` (what `gwjs batch list` shows) and `label` (renders one label; audited as
 *   `factory.label.render` by the CLI principal, address `cli via gwjs serve`).
 */
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { rm, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError, httpStatusOf, isDomainError } from '../../src-shared/errors';
import { bytesToBase64 } from '../../src-shared/bytes';
import type { RequestContext } from '../core/api';
import type { Station } from './station';
import type { FactoryLineServices } from '../core/factory-line';
import { renderGatewayLabel } from './label-render';
import { LABEL_FORMATS } from '../adapters/printers/render';

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

/** Request of `POST /local/v1/label`. */
export const localLabelRequestSchema = z.strictObject({
  gateway: z.string().min(1).max(64),
  format: z.enum(LABEL_FORMATS),
  template: z.string().min(1).max(64).optional(),
});

const isLoopback = (a: string | undefined): boolean =>
  a !== undefined && (a === '::1' || a.startsWith('127.') || a.startsWith('::ffff:127.'));

/** The door: mount it with {@link LocalDoor.register}, then {@link LocalDoor.publish} once listening. */
export class LocalDoor {
  readonly #token = randomBytes(32).toString('base64url');
  readonly #digest = createHash('sha256').update(this.#token).digest();
  readonly #file: string;
  readonly #ctx: RequestContext;
  #fingerprint256: string;
  #url: string | undefined;

  constructor(
    private readonly deps: {
      dataDir: string;
      core: Station['core'];
      factory: FactoryLineServices;
      cliContext: RequestContext;
      fingerprint256: string;
    },
  ) {
    this.#file = path.join(deps.dataDir, LOCAL_DOOR_FILE);
    this.#ctx = { principal: deps.cliContext.principal, address: 'cli via gwjs serve' };
    this.#fingerprint256 = deps.fingerprint256;
  }

  /** The server got a new certificate (Settings → Network): the published file pins it from now on. */
  async certificateChanged(fingerprint256: string): Promise<void> {
    this.#fingerprint256 = fingerprint256;
    if (this.#url !== undefined) await this.#write(this.#url);
  }

  /** Mounts `POST /local/v1/batches` and `POST /local/v1/label`. */
  register(app: FastifyInstance): void {
    app.post('/local/v1/batches', async (req, reply) =>
      this.#answer(req, reply, async () => ({ batches: await this.deps.factory.batches.list() })),
    );
    app.post('/local/v1/label', async (req, reply) =>
      this.#answer(req, reply, async () => {
        const r = localLabelRequestSchema.safeParse(req.body ?? {});
        if (!r.success) {
          const issue = r.error.issues[0];
          const field = issue?.path.join('.') || 'body';
          throw new DomainError('invalid_request', `${field}: ${issue?.message ?? 'invalid'}`, { field });
        }
        const label = await renderGatewayLabel(this.deps.core, this.#ctx, r.data);
        const { bytes, ...rest } = label;
        return { ...rest, bytes: bytesToBase64(bytes) };
      }),
    );
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

  async #answer(req: FastifyRequest, reply: FastifyReply, run: () => Promise<unknown>): Promise<unknown> {
    const peer = req.socket.remoteAddress;
    if (!isLoopback(peer) && peer !== req.socket.localAddress) {
      return reply.code(403).send(failure('forbidden', 'the local door answers only this machine'));
    }
    const given = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const digest = createHash('sha256').update(given).digest();
    if (!timingSafeEqual(digest, this.#digest)) {
      return reply
        .code(401)
        .send(failure('unauthorized', `authorization: not the token of ${LOCAL_DOOR_FILE}`));
    }
    try {
      return { ok: true, value: await run() };
    } catch (e) {
      if (!isDomainError(e)) throw e;
      return reply.code(httpStatusOf(e.code)).send(failure(e.code, e.message));
    }
  }
}

const failure = (code: string, message: string) => ({ ok: false, error: { code, message } });
