/**
 * What a CUPS answer carries (SPEC §3.2, §3.6): each of cupsUri, cupsCred, tcUri, tcCred only where
 * it differs from the station's report, and a firmware update only per SPEC §3.4. Pure: the handler
 * turns the plan into bytes. Credentials are compared by CRC (the station reports
 * crc32(trust ‖ cert ‖ key), SPEC §3.3) and never planned for a plain `http`/`ws` target — the
 * station would store them, report a CRC that can never converge, and be resent them forever.
 */
import type { UpdateInfoRequest } from '../../../src-shared/cups-wire';
import { isSecureUri } from '../gateways/setup-merge';

/** The firmware the setup asks for (SPEC §3.4). */
export interface FirmwareWant {
  fwcrc: number;
  /** CRC of each sig-N.key an uploaded signature verifies with */
  keyCrcs: readonly number[];
  /** `fwafter` has passed (or none was given) */
  due: boolean;
  /** delivered already for this setup: never again */
  sent: boolean;
}

/** The gateway's desired state; `null` means "no opinion": nothing is sent for that part. */
export interface DesiredState {
  cupsUri: string | null;
  /** CRC of the desired cupsCred blob */
  cupsCredCrc: number | null;
  lnsUri: string | null;
  /** CRC of the desired tcCred blob */
  lnsCredCrc: number | null;
  firmware: FirmwareWant | null;
}

/** The parts of a report the decision reads. */
export type UpdateReport = Pick<
  UpdateInfoRequest,
  'cupsUri' | 'tcUri' | 'cupsCredCrc' | 'tcCredCrc' | 'keys'
>;

/** Which segments to send. */
interface UpdatePlan {
  cupsUri: string | undefined;
  cupsCred: boolean;
  tcUri: string | undefined;
  tcCred: boolean;
  /** CRC of the station key whose signature accompanies the update; undefined = no update */
  firmwareKeyCrc: number | undefined;
  /** an update is due but none of the station's keys verifies any of its signatures */
  firmwareBlocked: boolean;
}

/** True when the plan sends nothing: the answer is 14 zero bytes (SPEC §3.2). */
export function isInSync(plan: UpdatePlan): boolean {
  return (
    plan.cupsUri === undefined &&
    !plan.cupsCred &&
    plan.tcUri === undefined &&
    !plan.tcCred &&
    plan.firmwareKeyCrc === undefined
  );
}

/**
 * Decides the answer to one report (SPEC §3.6): a URI when it differs from the reported one, a
 * credential blob when its CRC differs from the reported CRC and the (new or kept) URI of that
 * side is `https`/`wss`, a firmware update when due, not yet sent, and signed for a reported key
 * (the first such key in the station's order).
 */
export function decideUpdate(report: UpdateReport, want: DesiredState): UpdatePlan {
  const cupsTarget = want.cupsUri ?? report.cupsUri;
  const tcTarget = want.lnsUri ?? report.tcUri;
  let firmwareKeyCrc: number | undefined;
  let firmwareBlocked = false;
  const fw = want.firmware;
  if (fw !== null && fw.due && !fw.sent) {
    firmwareKeyCrc = report.keys.find((k) => fw.keyCrcs.includes(k));
    firmwareBlocked = firmwareKeyCrc === undefined;
  }
  return {
    cupsUri: want.cupsUri !== null && want.cupsUri !== report.cupsUri ? want.cupsUri : undefined,
    cupsCred: want.cupsCredCrc !== null && isSecureUri(cupsTarget) && want.cupsCredCrc !== report.cupsCredCrc,
    tcUri: want.lnsUri !== null && want.lnsUri !== report.tcUri ? want.lnsUri : undefined,
    tcCred: want.lnsCredCrc !== null && isSecureUri(tcTarget) && want.lnsCredCrc !== report.tcCredCrc,
    firmwareKeyCrc,
    firmwareBlocked,
  };
}
