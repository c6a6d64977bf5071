/**
 * STUN and TURN server URIs (RFC 7064, RFC 7065):
 *
 *   stun:host[:port]                      UDP, default port 3478
 *   stuns:host[:port]                     TLS over TCP, default port 5349
 *   turn:host[:port][?transport=udp|tcp]  default UDP, port 3478
 *   turns:host[:port][?transport=tcp]     TLS over TCP, port 5349 ("turns" with udp would be DTLS: refused)
 *
 * `host` is a name, an IPv4 literal or a bracketed IPv6 literal. An explicit port means "no SRV lookup for
 * this host" (RFC 5389 §9: SRV only when no port is given and the host is a name).
 */
import type { NatServerKind, NatServerTransport } from '../../src-shared/model/nat.ts';

export interface ServerUri {
  /** Normalised text: lower-case scheme and host, explicit port, transport query only when not the default. */
  uri: string;
  kind: NatServerKind;
  transport: NatServerTransport;
  host: string;
  port: number;
  /** The URI named the port (no SRV lookup for the host then). */
  explicitPort: boolean;
  /** The host is an IP literal. */
  literal: boolean;
}

export type ServerUriResult = { ok: true; value: ServerUri } | { ok: false; reason: string };

const URI =
  /^(stuns?|turns?):(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?(?:\?transport=([A-Za-z]+))?$/;

export const DEFAULT_PORT = { plain: 3478, secure: 5349 } as const;

export function parseServerUri(text: string): ServerUriResult {
  const m = URI.exec(text.trim());
  if (!m) return { ok: false, reason: `"${text}" is not a stun:, stuns:, turn: or turns: URI` };
  const scheme = (m[1] ?? '').toLowerCase();
  const rawHost = m[2] ?? '';
  const secure = scheme.endsWith('s');
  const kind: NatServerKind = scheme.startsWith('stun') ? 'stun' : 'turn';
  const query = m[4]?.toLowerCase();
  if (kind === 'stun' && query !== undefined)
    return { ok: false, reason: `${scheme}: URIs take no transport (RFC 7064)` };
  let transport: NatServerTransport;
  if (secure) {
    if (query !== undefined && query !== 'tcp')
      return { ok: false, reason: `turns: with transport=${query} (DTLS) is not supported` };
    transport = 'tls';
  } else if (query === undefined || query === 'udp') {
    transport = 'udp';
  } else if (query === 'tcp') {
    transport = 'tcp';
  } else {
    return { ok: false, reason: `unknown TURN transport "${query}"` };
  }
  const port = m[3] === undefined ? (secure ? DEFAULT_PORT.secure : DEFAULT_PORT.plain) : Number(m[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    return { ok: false, reason: `port ${m[3]} out of range` };
  const bracketed = rawHost.startsWith('[');
  const host = (bracketed ? rawHost.slice(1, -1) : rawHost).toLowerCase();
  const literal = bracketed || /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
  if (bracketed && !host.includes(':')) return { ok: false, reason: `"${rawHost}" is not an IPv6 literal` };
  const hostText = bracketed ? `[${host}]` : host;
  const defaultTransport = secure ? 'tls' : 'udp';
  const suffix = kind === 'turn' && transport !== defaultTransport ? `?transport=${transport}` : '';
  return {
    ok: true,
    value: {
      uri: `${scheme}:${hostText}:${port}${suffix}`,
      kind,
      transport,
      host,
      port,
      explicitPort: m[3] !== undefined,
      literal,
    },
  };
}

/** The URI text for a server found some other way (SRV target and port). */
export function serverUriOf(
  kind: NatServerKind,
  transport: NatServerTransport,
  host: string,
  port: number,
): string {
  const hostText = host.includes(':') ? `[${host}]` : host;
  const scheme = transport === 'tls' ? `${kind}s` : kind;
  const suffix = kind === 'turn' && transport === 'tcp' ? '?transport=tcp' : '';
  return `${scheme}:${hostText}:${port}${suffix}`;
}
