/**
 * media/session — one call's audio, from AudioPort to MediaPath and back.
 *
 *  - `AudioMediaSession`: built from the clock, a transport (a `MediaPath`, or our `MediaSocket`s plus
 *    the SDP remote for a latching path), the negotiation (`NegotiatedAudio`, which `src-main/sdp`'s
 *    `NegotiatedMedia` satisfies as it is) and an `AudioPort`. A 20 ms media clock captures, resamples,
 *    encodes and sends; received RTP goes through the jitter buffer, decoder and PLC to the port.
 *    Direction (hold), mute, `sendDtmf`/`onDtmf`, `update()` for re-INVITEs, `stats()`, `close()`.
 *    With `negotiated.srtp` the packets are SRTP on the wire (media/rtp's SrtpProtection under the RTP
 *    session: only authenticated packets latch or play; `stats().srtp` counts the drops).
 *  - `NegotiatedAudio` and helpers (`directionOf`, `codecFor`, `socketAddressOf`).
 */
export type {
  AudioMediaSessionOptions,
  AudioMediaSessionStats,
  AudioMediaTransport,
  SendDtmfResult,
} from './audio-media-session.ts';
export { AudioMediaSession } from './audio-media-session.ts';
export type { AudioDirection, NegotiatedAudio, NegotiatedAudioCodec } from './negotiated-audio.ts';
export { codecFor, directionOf, latchingRemoteOf, socketAddressOf } from './negotiated-audio.ts';
