/**
 * One call through the bridge, identical for IPC and HTTP: is it a channel, may this role call
 * it, does the request parse with the channel's schema — then the handler, and every outcome as
 * an envelope. Domain and printer errors keep their code (`knownErrorOf`); unexpected errors become
 * `internal` without detail (logged here).
 */
import { answerMismatch, describeIssue, validateAnswersByDefault } from '../../src-shared/contract/issues';
import { isDomainError, knownErrorOf } from '../../src-shared/errors';
import { CHANNELS, isChannel, roleAllows, type Channel, type Envelope } from '../../src-shared/ipc';
import type { Logger } from '../core/ports';
import type { BridgeCaller } from './caller';
import type { Handler, HandlerTable } from './handlers';

/** Builds a failure envelope. */
export function failure(code: Extract<Envelope<never>, { ok: false }>['error']['code'], message: string) {
  return { ok: false as const, error: { code, message } };
}

/** Whether answers are checked against the channel's response schema (development and tests). */
const CHECK_ANSWERS = validateAnswersByDefault(process.env);

/**
 * Runs one bridge call and answers with the envelope (never throws). `onRetryAfter` hears the
 * `retryAfterSeconds` of a rate-limited failure (the HTTP door's Retry-After). With
 * `checkAnswers` (default: on in development and tests) a handler's answer that does not match
 * the channel's response schema (an undeclared field included: `answerMismatch`) is an `internal`
 * failure, logged with the mismatch — a drifting answer fails loudly.
 */
export async function dispatch(
  table: HandlerTable,
  caller: BridgeCaller,
  channel: unknown,
  request: unknown,
  logger?: Logger,
  onRetryAfter?: (seconds: number) => void,
  checkAnswers: boolean = CHECK_ANSWERS,
): Promise<Envelope<unknown>> {
  if (!isChannel(channel)) {
    return failure('forbidden', `channel ${JSON.stringify(String(channel)).slice(0, 80)} is not allowed`);
  }
  if (!roleAllows(caller.role, channel)) {
    return failure('forbidden', `${channel}: the ${caller.role} role may not do this`);
  }
  const parsed = CHANNELS[channel].request.safeParse(request ?? {}, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'request';
    // unknown keys (capped) and non-finite numbers read better in the Owner API's words
    const worded =
      issue !== undefined &&
      (issue.code === 'unrecognized_keys' ||
        (typeof issue.input === 'number' && !Number.isFinite(issue.input)));
    return failure(
      'invalid_request',
      worded ? `${channel}: ${describeIssue(issue)}` : `${channel}: ${where}: ${issue?.message ?? 'invalid'}`,
    );
  }
  try {
    const handler = table[channel] as Handler<Channel>;
    const value = await handler(caller, parsed.data as never);
    if (checkAnswers) {
      const why = answerMismatch(CHANNELS[channel].response, value);
      if (why !== undefined) {
        logger?.error({ channel, why }, 'bridge answer does not match its schema');
        return failure('internal', `${channel}: answer does not match its schema: ${why}`);
      }
    }
    return { ok: true, value };
  } catch (e) {
    const known = knownErrorOf(e);
    if (known !== undefined) {
      const wait = isDomainError(e) ? e.attributes.retryAfterSeconds : undefined;
      if (typeof wait === 'number' && Number.isFinite(wait) && wait > 0) onRetryAfter?.(Math.ceil(wait));
      return failure(known.code, known.message);
    }
    logger?.error({ err: e instanceof Error ? e.message : String(e), channel }, 'bridge handler failed');
    return failure('internal', `${channel}: internal error`);
  }
}
