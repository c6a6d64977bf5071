/**
 * What an audio media session needs from offer/answer. This is the subset of `src-main/sdp`'s
 * `NegotiatedMedia` the session reads, restated structurally because media/session may not import sdp
 * (ARCHITECTURE.md layers): a `NegotiatedMedia` can be passed as it is.
 */
import { findCodec } from '../codec/index.ts';
import type { AudioCodec } from '../codec/index.ts';
import { parseIp } from '../../platform/index.ts';
import type { IpFamily, SocketAddress } from '../../platform/index.ts';
import type { SrtpKeys } from '../rtp/index.ts';
import type { LatchingRemote } from '../transport/index.ts';

export interface NegotiatedAudioCodec {
  readonly name: string;
  readonly clockRate: number;
  readonly channels: number;
  /** The number the peer's description uses: put it in RTP we send. */
  readonly sendPayloadType: number;
  /** The number our description uses: expect it in RTP we receive. */
  readonly receivePayloadType: number;
}

export interface NegotiatedAudio {
  /** The codec we send with. */
  readonly codec: NegotiatedAudioCodec;
  /** Every codec in common; the peer may send any of them. */
  readonly codecs: readonly NegotiatedAudioCodec[];
  readonly telephoneEvent:
    | { readonly sendPayloadType: number; readonly receivePayloadType: number; readonly clockRate: number }
    | undefined;
  /** ms of audio per packet we send. */
  readonly ptime: number;
  readonly remoteRtp: { readonly address: string; readonly port: number };
  readonly remoteRtcp: { readonly address: string; readonly port: number };
  readonly rtcpMux: boolean;
  /** Direction (RFC 3264 §5.1): whether we may send and whether we want to receive. */
  readonly send: boolean;
  readonly receive: boolean;
  /**
   * SDES-SRTP keys (RFC 4568) when the media is encrypted; undefined (or absent) for plain RTP. A later
   * negotiation may change them (re-keying) or drop them.
   */
  readonly srtp?: SrtpKeys | undefined;
}

export type AudioDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export function directionOf(negotiated: Pick<NegotiatedAudio, 'send' | 'receive'>): AudioDirection {
  if (negotiated.send) return negotiated.receive ? 'sendrecv' : 'sendonly';
  return negotiated.receive ? 'recvonly' : 'inactive';
}

/** The implementation of a negotiated codec; negotiation only agrees on codecs we have, so a miss is a bug. */
export function codecFor(negotiated: NegotiatedAudioCodec): AudioCodec {
  const codec = findCodec(negotiated.name, negotiated.clockRate, negotiated.channels);
  if (codec === undefined) {
    throw new RangeError(
      `no implementation of ${negotiated.name}/${negotiated.clockRate}/${negotiated.channels}`,
    );
  }
  return codec;
}

/**
 * An SDP address and port as a socket address (the family from the address's form). A numeric address is
 * put in canonical form (RFC 5952 for IPv6: `0:0:0:0:0:0:0:1` and `::1`, `FD00::2` and `fd00::2` are the
 * same address) — the form the sockets report sources in, which latching compares it with.
 */
export function socketAddressOf(target: { readonly address: string; readonly port: number }): SocketAddress {
  const parsed = parseIp(target.address);
  if (parsed !== undefined) return { address: parsed.address, port: target.port, family: parsed.family };
  const family: IpFamily = target.address.includes(':') ? 6 : 4;
  return { address: target.address, port: target.port, family };
}

/**
 * The peer's addresses and the payload types it may send, for a latching path (symmetric RTP): what the
 * session builds for itself, and the ICE transport for a peer without ICE or a relayed plain-RTP path.
 */
export function latchingRemoteOf(negotiated: NegotiatedAudio): LatchingRemote {
  const rtp = socketAddressOf(negotiated.remoteRtp);
  const payloadTypes = negotiated.codecs.map((c) => c.receivePayloadType);
  payloadTypes.push(negotiated.codec.receivePayloadType);
  if (negotiated.telephoneEvent !== undefined)
    payloadTypes.push(negotiated.telephoneEvent.receivePayloadType);
  return {
    rtp,
    rtcp: negotiated.rtcpMux ? rtp : socketAddressOf(negotiated.remoteRtcp),
    rtcpMux: negotiated.rtcpMux,
    payloadTypes,
  };
}
