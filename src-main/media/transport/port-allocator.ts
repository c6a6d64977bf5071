/**
 * Binds the UDP sockets of one call's audio inside the configured media port range.
 *
 * RFC 3550 §11: "RTP SHOULD use an even destination port number and the corresponding RTCP stream SHOULD
 * use the next higher (odd) destination port number". So a pair is (2k, 2k + 1); with rtcp-mux
 * (RFC 5761) one socket on an even port carries both. Candidates are tried from a random even port of the
 * range onwards (wrapping around), so two calls — or two phones behind one NAT with port preservation —
 * do not keep colliding on the same first port; a port in use (EADDRINUSE) moves on to the next pair.
 *
 * A caller that offers rtcp-mux but must fall back when the answer refuses it allocates a pair and closes
 * the RTCP socket once the answer accepted mux (RFC 5761 §5.1.1).
 *
 * Expected failures (range exhausted, address not ours) are values; a malformed range is a bug and throws.
 */
import { randomBytes } from 'node:crypto';
import { errorCode, formatAddress } from '../../platform/index.ts';
import type { DatagramSocket, IpFamily, Network } from '../../platform/index.ts';
import { MediaSocket } from './media-socket.ts';

export interface MediaPortRange {
  /** Lowest port (inclusive). */
  readonly min: number;
  /** Highest port (inclusive). */
  readonly max: number;
}

/** The customary RTP range (Asterisk, FreeSWITCH and many phones use 16384–32767 or a part of it). */
export const DEFAULT_MEDIA_PORT_RANGE: MediaPortRange = { min: 16_384, max: 32_767 };

export interface MediaPortAllocatorOptions {
  network: Network;
  range?: MediaPortRange;
  /** Uniform in [0, 1); picks the first candidate. Default: node:crypto. */
  random?: () => number;
  /** Give up after this many candidate pairs (default: every even port of the range, at most 512). */
  maxAttempts?: number;
}

export interface MediaPortRequest {
  family: IpFamily;
  /** Local address to bind; default the family's wildcard. */
  address?: string;
  /** One socket for RTP and RTCP (RFC 5761) instead of an even/odd pair. */
  rtcpMux: boolean;
}

export type MediaPortAllocation =
  | { readonly ok: true; readonly rtp: MediaSocket; readonly rtcp: MediaSocket | undefined }
  | {
      readonly ok: false;
      /**
       * `ports-exhausted`: every candidate was in use; `address-unavailable`: the address is not one of
       * this host's (EADDRNOTAVAIL, e.g. a network change); `bind-failed`: any other refusal.
       */
      readonly error: 'ports-exhausted' | 'address-unavailable' | 'bind-failed';
      readonly message: string;
    };

type BindOutcome =
  { ok: true; socket: DatagramSocket } | { ok: false; code: string | undefined; message: string };

export class MediaPortAllocator {
  readonly range: MediaPortRange;
  private readonly network: Network;
  private readonly random: () => number;
  private readonly maxAttempts: number;
  /** Even ports of the range whose successor is in the range too. */
  private readonly pairCount: number;
  private readonly firstEven: number;

  constructor(options: MediaPortAllocatorOptions) {
    const range = options.range ?? DEFAULT_MEDIA_PORT_RANGE;
    const { min, max } = range;
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 65_535 || min > max) {
      throw new RangeError(`media port range ${min}–${max} is not a range of UDP ports`);
    }
    this.firstEven = min % 2 === 0 ? min : min + 1;
    this.pairCount = Math.max(0, Math.floor((max - 1 - this.firstEven) / 2) + 1);
    if (this.pairCount === 0)
      throw new RangeError(`media port range ${min}–${max} holds no even/odd port pair`);
    this.range = { min, max };
    this.network = options.network;
    this.random = options.random ?? cryptoRandom;
    this.maxAttempts = Math.max(1, Math.min(options.maxAttempts ?? 512, this.pairCount));
  }

  /** Binds RTP (and RTCP unless muxed) sockets for one call. */
  async allocate(request: MediaPortRequest): Promise<MediaPortAllocation> {
    const start = Math.min(this.pairCount - 1, Math.floor(this.random() * this.pairCount));
    let lastBusy = '';
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const port = this.firstEven + 2 * ((start + attempt) % this.pairCount);
      const rtp = await this.bind(request, port);
      if (!rtp.ok) {
        if (rtp.code === 'EADDRINUSE') {
          lastBusy = rtp.message;
          continue;
        }
        return failed(rtp);
      }
      if (request.rtcpMux) return { ok: true, rtp: new MediaSocket(rtp.socket, 'rtp'), rtcp: undefined };
      const rtcp = await this.bind(request, port + 1);
      if (!rtcp.ok) {
        rtp.socket.close();
        if (rtcp.code === 'EADDRINUSE') {
          lastBusy = rtcp.message;
          continue;
        }
        return failed(rtcp);
      }
      return {
        ok: true,
        rtp: new MediaSocket(rtp.socket, 'rtp'),
        rtcp: new MediaSocket(rtcp.socket, 'rtcp'),
      };
    }
    return {
      ok: false,
      error: 'ports-exhausted',
      message: `no free ${request.rtcpMux ? 'port' : 'port pair'} in ${this.range.min}–${this.range.max} after ${this.maxAttempts} attempts (last: ${lastBusy})`,
    };
  }

  private async bind(request: MediaPortRequest, port: number): Promise<BindOutcome> {
    try {
      const socket = await this.network.bindDatagram({
        family: request.family,
        address: request.address,
        port,
      });
      return { ok: true, socket };
    } catch (error) {
      const where = formatAddress({
        address: request.address ?? (request.family === 6 ? '::' : '0.0.0.0'),
        port,
        family: request.family,
      });
      return {
        ok: false,
        code: errorCode(error),
        message: `bind ${where}: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }
}

function failed(outcome: { code: string | undefined; message: string }): MediaPortAllocation {
  return {
    ok: false,
    error: outcome.code === 'EADDRNOTAVAIL' ? 'address-unavailable' : 'bind-failed',
    message: outcome.message,
  };
}

/** Uniform in [0, 1) from 48 random bits. */
function cryptoRandom(): number {
  return randomBytes(6).readUIntBE(0, 6) / 2 ** 48;
}
