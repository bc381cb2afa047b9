/**
 * The remote's Owner API over HTTPS (port `core/sync/remote.ts`): JSON POSTs with the link's API
 * key, kept-alive connections, and the link's CA certificate as the only trust anchor (the
 * fingerprint was pinned when the link was made, `core/sync/link.ts`), host name checked as usual.
 * Anything short of a complete answer — refused, reset, TLS failure, timeout — is
 * `RemoteUnreachable`.
 */
import { Agent, request } from 'node:https';
import { RemoteUnreachable, type RemoteAnswer, type RemoteApi } from '../../core/sync/remote';

/** Options of {@link HttpsRemote}. */
interface HttpsRemoteOptions {
  /** base URL, `https://host:port` */
  url: string;
  caPem: string;
  apiKey: string;
  /** whole-request timeout (default 15 s) */
  timeoutMs?: number;
}

/** Owner API client of one remote. */
export class HttpsRemote implements RemoteApi {
  readonly #agent: Agent;

  constructor(private readonly options: HttpsRemoteOptions) {
    this.#agent = new Agent({ keepAlive: true, maxSockets: 4, ca: options.caPem });
  }

  /** {@inheritDoc RemoteApi.post} */
  post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<RemoteAnswer> {
    const payload = Buffer.from(JSON.stringify(body));
    const timeoutMs = this.options.timeoutMs ?? 15_000;
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (why: string) => {
        if (settled) return;
        settled = true;
        reject(new RemoteUnreachable(`${this.options.url}${path}: ${why}`));
      };
      const req = request(
        new URL(path, this.options.url),
        {
          method: 'POST',
          agent: this.#agent,
          headers: {
            'content-type': 'application/json',
            'content-length': String(payload.length),
            authorization: `Bearer ${this.options.apiKey}`,
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('aborted', () => fail('answer cut off'));
          res.on('error', (e) => fail(e.message));
          res.on('end', () => {
            if (settled) return;
            if (!res.complete) {
              fail('answer cut off');
              return;
            }
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = text === '' ? null : JSON.parse(text);
            } catch {
              fail(`answer ${res.statusCode ?? 0} is not JSON`);
              return;
            }
            settled = true;
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, body: json });
          });
        },
      );
      const timer = setTimeout(() => {
        fail(`no answer within ${timeoutMs} ms`);
        req.destroy();
      }, timeoutMs);
      req.on('error', (e) => {
        clearTimeout(timer);
        fail(e.message);
      });
      req.end(payload);
    });
  }

  /** {@inheritDoc RemoteApi.close} */
  close(): void {
    this.#agent.destroy();
  }
}
