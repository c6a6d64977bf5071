/**
 * The in-memory form of a session description (RFC 8866, compatible with RFC 4566).
 *
 * Lines the phone reasons about have typed fields (v o s c t m). Lines it only carries (i u e p b r z k)
 * keep their text. Attributes (`a=`) stay an ordered list of name/value pairs exactly as received, so
 * every attribute — known or not — survives parse → build unchanged and in order; typed readings of the
 * known ones (rtpmap, candidate, rtcp, …) are views computed from that list by `attributes.ts` and
 * `query.ts`, never a second copy that could drift.
 *
 * The builder writes the lines of each section in the order RFC 8866 §5 prescribes:
 *   session: v o s i u e p c b (t r*)+ z k a*
 *   media:   m i c* b* k a*
 */

/** `a=<name>` (value undefined) or `a=<name>:<value>` (value possibly ''). */
export interface Attribute {
  readonly name: string;
  readonly value?: string | undefined;
}

/** `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>` (RFC 8866 §5.2). */
export interface Origin {
  readonly username: string;
  /** Decimal digits; kept as text because it may exceed 2^53. */
  readonly sessionId: string;
  /** Decimal digits; kept as text because it may exceed 2^53 (use `bumpVersion`). */
  readonly sessionVersion: string;
  readonly netType: string;
  readonly addressType: string;
  readonly address: string;
}

/** `c=<nettype> <addrtype> <connection-address>` (RFC 8866 §5.7), multicast suffixes split out. */
export interface Connection {
  readonly netType: string;
  readonly addressType: string;
  /** The address without any `/ttl/count` suffix. */
  readonly address: string;
  /** IPv4 multicast TTL (`224.2.1.1/127`). */
  readonly ttl?: number | undefined;
  /** Number of multicast addresses (`224.2.1.1/127/3`, `ff15::101/3`). */
  readonly count?: number | undefined;
}

/** `b=<bwtype>:<bandwidth>` (RFC 8866 §5.8). */
export interface Bandwidth {
  readonly type: string;
  readonly value: number;
}

/** `t=<start-time> <stop-time>` plus its `r=` lines (kept as text). */
export interface Timing {
  readonly start: number;
  readonly stop: number;
  readonly repeats: readonly string[];
}

/** `m=<media> <port>[/<number of ports>] <proto> <fmt> ...` and the lines that follow it. */
export interface MediaDescription {
  /** `audio`, `video`, `text`, `application`, `message`, or anything else. */
  readonly type: string;
  /** 0 means the stream is rejected/disabled (RFC 3264 §6, §8.2). */
  readonly port: number;
  readonly portCount?: number | undefined;
  /** `RTP/AVP`, `RTP/SAVP`, `UDP/TLS/RTP/SAVPF`, … as written. */
  readonly protocol: string;
  /** Payload type numbers (as text) for RTP profiles, or other format identifiers. */
  readonly formats: readonly string[];
  readonly information?: string | undefined;
  readonly connections: readonly Connection[];
  readonly bandwidths: readonly Bandwidth[];
  readonly encryptionKey?: string | undefined;
  readonly attributes: readonly Attribute[];
}

export interface SessionDescription {
  /** `v=` — always 0. */
  readonly version: 0;
  readonly origin: Origin;
  /** `s=` text; '' is written back as `s= ` (RFC 8866 §5.3 recommends a single space or `-`). */
  readonly sessionName: string;
  readonly information?: string | undefined;
  readonly uri?: string | undefined;
  readonly emails: readonly string[];
  readonly phones: readonly string[];
  readonly connection?: Connection | undefined;
  readonly bandwidths: readonly Bandwidth[];
  /** At least one `t=` line. */
  readonly timings: readonly Timing[];
  /** `z=` value as text. */
  readonly timeZones?: string | undefined;
  /** `k=` value as text (obsolete, RFC 8866 §5.12; carried, never used). */
  readonly encryptionKey?: string | undefined;
  readonly attributes: readonly Attribute[];
  readonly media: readonly MediaDescription[];
}

/** RFC 3264 §5.1 / RFC 8866 §6.7 stream direction. */
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export const DIRECTIONS: readonly Direction[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

/** A problem found while parsing, always naming the line (1-based) and its text. */
export interface SdpProblem {
  readonly line: number;
  readonly content: string;
  readonly reason: string;
}
