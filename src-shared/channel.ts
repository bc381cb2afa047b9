/**
 * How a renderer ↔ main channel is declared (DESIGN §1 "The contract"): operator roles, the role
 * sets channels are opened to, and {@link channel}, shared by the channel map of `ipc.ts` and the
 * factory channels of `factory-channels.ts`.
 *
 * Runs anywhere (main, preload, renderer): imports only zod.
 */
import { z } from 'zod';

/** Operator roles: what a local operator account may do at the station. */
export const ROLES = ['admin', 'factory', 'installer'] as const;
/** One operator role. */
export type Role = (typeof ROLES)[number];

/** Every role. */
export const ALL_ROLES: readonly Role[] = ROLES;
/** Admins only. */
export const ADMIN_ONLY: readonly Role[] = ['admin'];
/** Who claims, sets up and deletes gateways. */
export const INSTALLERS: readonly Role[] = ['admin', 'installer'];
/** Who works the factory line. */
export const FACTORY_ROLES: readonly Role[] = ['admin', 'factory'];

/** A request without fields. */
export const emptyRequest = z.object({}).strict();

/** An id in any accepted form (SPEC §1.2); validated by the core so errors stay per item. */
export const idInput = z.string().min(1).max(64);

/** Declares one channel: request schema, response schema, allowed roles, one-line summary. */
export function channel<Req extends z.ZodType, Res extends z.ZodType>(
  request: Req,
  response: Res,
  roles: readonly Role[],
  summary: string,
) {
  return { request, response, roles, summary } as const;
}
