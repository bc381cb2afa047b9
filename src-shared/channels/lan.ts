/**
 * The LAN CUPS door of the renderer ↔ main contract (docs/sync.md "The LAN CUPS door"): the
 * addresses of this machine an operator may open the door on, and the switch that opens it (CUPS
 * and the Owner API on that address, with a server certificate of the station's CA for it) or
 * closes it.
 *
 * Runs anywhere: imports only zod and other `src-shared` modules.
 */
import { z } from 'zod';
import { ADMIN_ONLY as ADMIN, ALL_ROLES as ALL, channel, emptyRequest as empty } from '../channel';

/** One address of this machine. */
export const lanAddressSchema = z.object({
  address: z.string(),
  family: z.enum(['IPv4', 'IPv6']),
  /** the network interface, e.g. `eth0` */
  interface: z.string(),
  /** loopback (reachable from this machine only) */
  internal: z.boolean(),
});

/** The door as the switch shows it. */
const lanDoorSchema = z.object({
  /** this process can open a LAN door (the desktop app, `gwjs serve`) */
  available: z.boolean(),
  addresses: z.array(lanAddressSchema),
  /** null: closed */
  active: z
    .object({
      address: z.string(),
      port: z.number().int(),
      /** what gateways are pointed at: a bundle's `cups.uri` */
      cupsUri: z.string(),
      /** SHA-256 of the door's server certificate, `AB:CD:…` */
      certFingerprint: z.string(),
    })
    .nullable(),
  /** how the open door came: the saved choice at start, this run's `--lan` (over the saved one), the switch */
  openedBy: z.enum(['saved', 'flag', 'switch']).nullable(),
  /** the operator's choice kept in station.json for the next start (null: never chosen) */
  saved: z.object({ address: z.string(), port: z.number().int(), open: z.boolean() }).nullable(),
  /** why the saved door was not opened at this start (its address is on no interface now, …) */
  startError: z.string().nullable(),
});
/** The LAN door as the switch shows it. */
export type LanDoorView = z.infer<typeof lanDoorSchema>;

/** The LAN door channels (spread into `CHANNELS`). */
export const LAN_CHANNELS = {
  'station:lanDoor': channel(
    empty,
    lanDoorSchema,
    ALL,
    'the LAN CUPS door: addresses and whether it is open',
  ),
  'station:setLanDoor': channel(
    z.object({
      /** an address of this machine; null closes the door */
      address: z.string().max(64).nullable(),
      /** default 8443 */
      port: z.number().int().min(0).max(65535).optional(),
    }),
    lanDoorSchema,
    ADMIN,
    'open the LAN CUPS door on an address of this machine (own certificate), or close it',
  ),
} as const;
