/**
 * media/codec — audio payload formats, pure input → output:
 *  - `AudioCodec` and the G.711 codecs (PCMU, PCMA), looked up by SDP name or static payload type;
 *  - RFC 4733 telephone-events: the payload codec, `DtmfSender` (plans the packets of a key press)
 *    and `DtmfReceiver` (turns received event packets into key presses, once each).
 */
export type { AudioCodec, CodecName } from './audio-codec.ts';
export {
  CODEC_NAMES,
  PCMA,
  PCMU,
  codecByName,
  codecByStaticPayloadType,
  findCodec,
  frameSamplesAt,
  isCodecName,
} from './audio-codec.ts';
export { aLawDecodeSample, aLawEncodeSample, muLawDecodeSample, muLawEncodeSample } from './g711.ts';
export type { DtmfDigit, DtmfKey, TelephoneEvent, TelephoneEventDecodeResult } from './telephone-event.ts';
export {
  MAX_EVENT_DURATION,
  MAX_EVENT_VOLUME,
  TELEPHONE_EVENT_PAYLOAD_BYTES,
  decodeTelephoneEvent,
  encodeTelephoneEvent,
  eventCodeOfKey,
  isDtmfKey,
  keyOfEventCode,
} from './telephone-event.ts';
export type { DtmfSenderOptions, PlannedDtmfPacket } from './dtmf-sender.ts';
export { DtmfSender } from './dtmf-sender.ts';
export type {
  DtmfEndReason,
  DtmfReceiverEvent,
  DtmfReceiverOptions,
  DtmfReceiverStats,
  ReceivedEventPacket,
} from './dtmf-receiver.ts';
export { DtmfReceiver } from './dtmf-receiver.ts';
