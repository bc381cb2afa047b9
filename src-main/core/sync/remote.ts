/**
 * The remote join server as the sync engine sees it (a port, DESIGN §1): an Owner API client that
 * POSTs JSON with the link's API key over the link's pinned TLS trust. The HTTPS adapter is
 * `adapters/remote/https-remote.ts`.
 */

/** One HTTP answer of the remote. */
export interface RemoteAnswer {
  status: number;
  body: unknown;
}

/** The remote's Owner API. */
export interface RemoteApi {
  /**
   * POSTs `body` as JSON to `path` (e.g. `/api/v1/gateway/claim`) with `Authorization: Bearer`.
   * @throws RemoteUnreachable when no complete answer arrived (refused, reset, timeout, TLS failure).
   */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<RemoteAnswer>;
  /** Closes kept-alive connections. */
  close(): void;
}

/** No complete answer from the remote: the link is down (or the answer was lost). */
export class RemoteUnreachable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteUnreachable';
  }
}
