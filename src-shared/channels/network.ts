/**
 * The station's network settings (docs/station-ui.md "Network"): the listen address picked from
 * this machine's interfaces, the public host names gateways use, the CUPS URI bundles carry, and
 * the server certificate the station CA issued for them. Kept in `station.json`; admin only.
 *
 * Runs anywhere: imports only zod and other `src-shared` modules.
 */
import { z } from 'zod';
import { ADMIN_ONLY as ADMIN, channel, emptyRequest as empty } from '../channel';
import { lanAddressSchema } from './lan';

/** What the Network card shows. */
const networkViewSchema = z.object({
  /** this process can change them (the desktop app, `gwjs serve`) */
  available: z.boolean(),
  /** this machine's addresses (read in main, never in the renderer) */
  addresses: z.array(lanAddressSchema),
  /** the saved settings (`station.json`); all but the listen address apply at once */
  saved: z.object({
    host: z.string(),
    port: z.number().int(),
    publicHosts: z.array(z.string()),
    /** the CUPS URI bundles carry; null = `https://<first public host>:<port>` */
    cupsUri: z.string().nullable(),
  }),
  /** the CUPS URI the saved settings give (what bundles carry: saving applies it at once) */
  effectiveCupsUri: z.string(),
  /** what this process runs with now */
  running: z.object({ host: z.string(), cupsUri: z.string() }),
  /** the server certificate on disk: subject alternative names and SHA-256 fingerprint */
  certificate: z.object({
    ipSans: z.array(z.string()),
    dnsSans: z.array(z.string()),
    fingerprint256: z.string(),
  }),
  /** true when the saved listen address differs from the one listened on: it applies at the next start */
  restartNeeded: z.boolean(),
});
/** What the Network card shows. */
export type NetworkView = z.infer<typeof networkViewSchema>;

/** What the Network card saves. */
const networkSaveSchema = z.object({
  /** an address of this machine, `0.0.0.0` (every IPv4 interface) or `::` */
  host: z.string().min(1).max(64),
  publicHosts: z.array(z.string().min(1).max(253)).min(1).max(16),
  cupsUri: z.string().max(127).nullable(),
});

/** The network channels (spread into `CHANNELS`). */
export const NETWORK_CHANNELS = {
  'network:get': channel(
    empty,
    networkViewSchema,
    ADMIN,
    'listen address, public hosts, CUPS URI, certificate',
  ),
  'network:save': channel(
    networkSaveSchema,
    networkViewSchema,
    ADMIN,
    'save listen address, public hosts and CUPS URI; re-issue the server certificate for them',
  ),
} as const;
