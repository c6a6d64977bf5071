/**
 * media/codec — audio payload formats, pure input → output:
 *  - `AudioCodec` (RTP clock rate and PCM sample rate, a factory of per-stream encoders/decoders) and
 *    the codecs: G.711 (PCMU, PCMA; stateless) and G.722 (16 kHz audio on an 8 kHz RTP clock, RFC 3551
 *    §4.5.2; stateful), looked up by SDP name or static payload type;
 *  - the G.722 sub-band ADPCM coders on their own (the ITU-T digital test sequences bypass the QMFs);
 *  - RFC 4733 telephone-events: the payload codec, `DtmfSender` (plans the packets of a key press)
 *    and `DtmfReceiver` (turns received event packets into key presses, once each).
 */
export type {
  AudioCodec,
  AudioDecoder,
  AudioEncoder,
  CodecName,
  StatelessAudioCodec,
} from './audio-codec.ts';
export {
  CODEC_NAMES,
  G722,
  PCMA,
  PCMU,
  codecByName,
  codecByStaticPayloadType,
  findCodec,
  frameSamplesAt,
  isCodecName,
} from './audio-codec.ts';
export { aLawDecodeSample, aLawEncodeSample, muLawDecodeSample, muLawEncodeSample } from './g711.ts';
export {
  G722Decoder,
  G722Encoder,
  G722HigherBandDecoder,
  G722HigherBandEncoder,
  G722LowerBandDecoder,
  G722LowerBandEncoder,
} from './g722.ts';
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
