/**
 * Turning zod failures into the `{error, code}` envelope of every door (SPEC §4.2): the message
 * names the field path (`gateways[3].claim: expected string, got number`) in words a curl user
 * understands, the code is the value's own (`invalid_uri`, `invalid_credential`, …) or
 * `invalid_request` for a shape problem.
 *
 * Runs anywhere: imports only zod and `errors.ts`.
 */
import type { z } from 'zod';
import type { ErrorBody, ErrorCode } from '../errors';

/** Adds a custom issue carrying the error code the envelope should report. */
export function fail(ctx: z.core.$RefinementCtx<string>, code: ErrorCode, message: string): void {
  ctx.addIssue({ code: 'custom', message, params: { code }, input: ctx.value });
}

/** Quotes user input for a message, cut so a megabyte of garbage stays one short line. */
export function quote(s: string): string {
  return JSON.stringify(s.length > 48 ? `${s.slice(0, 48)}…` : s);
}

/**
 * `gateways[3].claim` from `['gateways', 3, 'claim']`. The root is `body`, or `root` when given
 * (`gateways[3]` for one item of a bulk request).
 */
export function formatPath(path: readonly PropertyKey[], root?: string): string {
  let s = root ?? '';
  for (const k of path) s += typeof k === 'number' ? `[${k}]` : s === '' ? String(k) : `.${String(k)}`;
  return s === '' ? 'body' : s;
}

/** `null`, `array` or the `typeof` name of a JSON value. */
export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** At most this many unknown keys are named in one message, each cut to {@link MAX_KEY_SHOWN} characters. */
const MAX_UNKNOWN_KEYS_SHOWN = 5;
const MAX_KEY_SHOWN = 40;

const shownKey = (k: string) => (k.length > MAX_KEY_SHOWN ? `${k.slice(0, MAX_KEY_SHOWN)}…` : k);

/**
 * `pin: unknown field (also a, b; and 199 995 more)`: a body with 200 000 unknown keys must not
 * make a 1.7 MB message, so only the first few are named.
 */
function describeUnknownKeys(path: string, keys: readonly string[]): string {
  const first = shownKey(keys[0] ?? '?');
  const also = keys.slice(1, MAX_UNKNOWN_KEYS_SHOWN).map(shownKey);
  const rest = keys.length - 1 - also.length;
  const tail =
    also.length === 0
      ? ''
      : ` (also ${also.join(', ')}${rest > 0 ? `; and ${rest} more unknown fields` : ''})`;
  return `${path === 'body' ? '' : `${path}.`}${first}: unknown field${tail}`;
}

/**
 * One issue as `path: problem`, in words a curl user understands (parse with `reportInput: true`
 * so type problems can say what was given). `root` prefixes the path (see {@link formatPath}).
 */
export function describeIssue(issue: z.core.$ZodIssue, root?: string): string {
  const path = formatPath(issue.path, root);
  // JSON.parse turns 1e400 into Infinity: a number, but not one zod (or anyone) accepts
  if (
    (issue.code === 'invalid_type' || issue.code === 'invalid_union') &&
    typeof issue.input === 'number' &&
    !Number.isFinite(issue.input)
  ) {
    return `${path}: not a finite number (too large)`;
  }
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `${path}: required (${issue.expected})`;
      return `${path}: expected ${issue.expected}, got ${typeName(issue.input)}`;
    case 'unrecognized_keys':
      return describeUnknownKeys(path, issue.keys);
    case 'invalid_union':
      return `${path}: ${issue.message.replace(/^Invalid input: ?/, '') || 'no accepted form matches'}`;
    default:
      return `${path}: ${issue.message.replace(/^Invalid input: ?/, '')}`;
  }
}

/** Error code an issue stands for: a custom issue's own code, the item limit, else invalid_request. */
function codeOf(issue: z.core.$ZodIssue): ErrorCode {
  if (issue.code === 'custom') {
    const code = (issue.params as { code?: ErrorCode } | undefined)?.code;
    if (code !== undefined) return code;
  }
  if (issue.code === 'too_big' && issue.origin === 'array' && formatPath(issue.path) === 'gateways') {
    return 'too_many_items';
  }
  return 'invalid_request';
}

/**
 * Folds zod issues into the envelope: the first three problems, the first one's code. `root`
 * prefixes every path (see {@link formatPath}).
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[], root?: string): ErrorBody {
  const first = issues[0];
  if (first === undefined) return { error: `${root ?? 'body'}: invalid`, code: 'invalid_request' };
  const shown = issues.slice(0, 3).map((i) => describeIssue(i, root));
  const more = issues.length > 3 ? `; and ${issues.length - 3} more problem(s)` : '';
  return { error: shown.join('; ') + more, code: codeOf(first) };
}

/** Result of parsing a request body: the value, or the envelope to answer with. */
export type BodyParse<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

/** Validates a decoded JSON body against `schema`: it must be an object; failures name the field. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): BodyParse<z.output<T>> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return {
      ok: false,
      error: { error: `body: expected a JSON object, got ${typeName(body)}`, code: 'invalid_request' },
    };
  }
  const r = schema.safeParse(body, { reportInput: true });
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, error: describeIssues(r.error.issues) };
}

/**
 * Whether answers are checked against their declared response schemas (Owner API and the
 * renderer bridge), given the environment: `GWJS_VALIDATE_ANSWERS=1`/`0` decides; otherwise on in
 * development and tests (`NODE_ENV` `development` or `test`, which vitest sets) and off elsewhere,
 * where the check would only cost time (docs/owner-api.md "Answers are checked").
 */
export function validateAnswersByDefault(env: Readonly<Record<string, string | undefined>>): boolean {
  const flag = env.GWJS_VALIDATE_ANSWERS;
  if (flag === '1' || flag === 'true') return true;
  if (flag === '0' || flag === 'false') return false;
  return env.NODE_ENV === 'development' || env.NODE_ENV === 'test';
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);

/**
 * The first field of `answer` its schema's output does not carry (an object schema strips what it
 * does not declare), as `answer.firmware[0].extra`; undefined when none. Where a transform changed
 * a value's type the walk stops there.
 */
function undeclaredField(answer: unknown, output: unknown, path: (string | number)[]): string | undefined {
  if (Array.isArray(answer) && Array.isArray(output)) {
    for (let i = 0; i < answer.length && i < output.length; i++) {
      const found = undeclaredField(answer[i], output[i], [...path, i]);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (!isPlainObject(answer) || !isPlainObject(output)) return undefined;
  for (const [k, v] of Object.entries(answer)) {
    if (v === undefined) continue; // JSON drops it; structured clone keeps nothing of it either
    if (!Object.prototype.hasOwnProperty.call(output, k)) return formatPath([...path, k], 'answer');
    const found = undeclaredField(v, output[k], [...path, k]);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Checks an answer against its declared response schema (docs/owner-api.md "Answers are checked"):
 * undefined when it matches, else the problem in the words of {@link describeIssues}, rooted at
 * `answer`. Stricter than `safeParse`: a field the schema does not declare is a mismatch even where
 * an object schema would strip it, because the door sends the answer as the handler made it — an
 * undeclared field would reach the caller unchecked.
 */
export function answerMismatch(schema: z.ZodType, answer: unknown): string | undefined {
  const r = schema.safeParse(answer, { reportInput: true });
  if (!r.success) return describeIssues(r.error.issues, 'answer').error;
  const extra = undeclaredField(answer, r.data, []);
  return extra === undefined ? undefined : `${extra}: not declared in the response schema`;
}
