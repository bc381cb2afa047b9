/**
 * What a gateway label says (SPEC §6), independent of template and output format: EUI-64 (dashed),
 * ID6, the MAC where the EUI came from one, the claim PIN as `XXXX-XXXX`, the Code 128 data (16 hex
 * EUI) and the QR payload `GWJS:1:<16 hex EUI>:<PIN>`.
 */
import { euiHex, formatEui64, formatId6, macFromEui } from '../../../src-shared/ids';
import { formatPin } from '../../../src-shared/pin';
import { encodeQrPayload } from '../../../src-shared/qr-payload';

/** Input of {@link buildLabelModel}. */
export interface LabelInput {
  /** the gateway EUI-64 */
  id: bigint;
  /** the 8-symbol claim PIN (SPEC §2), as derived */
  pin: string;
  /** true when the operator typed a MAC-48 (SPEC §1.2); the label then shows that MAC too */
  fromMac?: boolean | undefined;
}

/** The label's content, all strings ready to print. */
export interface LabelModel {
  /** `B8-27-EB-FF-FE-12-34-56` */
  eui64: string;
  /** canonical ID6 (SPEC §1.1) */
  id6: string;
  /** `B8:27:EB:12:34:56`, only when the EUI came from a MAC */
  mac?: string;
  /** `XXXX-XXXX` */
  pinFormatted: string;
  /** 16 uppercase hex digits of the EUI */
  code128Data: string;
  /** `GWJS:1:<16 hex>:<PIN>`, uppercase, QR alphanumeric alphabet only */
  qrPayload: string;
}

/**
 * Builds the SPEC §6 label content for one gateway.
 * @throws DomainError('bad_claim') when the PIN is not 8 canonical Crockford symbols; RangeError when
 * the id is not a 64-bit unsigned value.
 */
export function buildLabelModel(input: LabelInput): LabelModel {
  // the QR codec checks the PIN first, so a bad PIN is a DomainError rather than formatPin's RangeError
  const qrPayload = encodeQrPayload(input.id, input.pin);
  const model: LabelModel = {
    eui64: formatEui64(input.id, '-'),
    id6: formatId6(input.id),
    pinFormatted: formatPin(input.pin),
    code128Data: euiHex(input.id),
    qrPayload,
  };
  if (input.fromMac === true) {
    const mac = macFromEui(input.id);
    if (mac !== undefined) model.mac = mac;
  }
  return model;
}
