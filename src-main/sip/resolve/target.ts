/**
 * What RFC 3263 resolution starts from and what it produces. The URI fields arrive already parsed
 * (sip/syntax owns the URI grammar); this layer only needs these few.
 */
import type { IpFamily } from '../../platform/index.ts';

export type SipTransport = 'udp' | 'tcp' | 'tls';

/** The URI to locate: a Request-URI, a Route value or an outbound proxy. */
export interface SipTarget {
  /** Host name, IPv4 address or IPv6 reference (bracketed or not). */
  readonly host: string;
  readonly port?: number;
  /** The `transport` URI parameter; for a SIPS URI "tcp" means TLS over TCP. */
  readonly transport?: SipTransport;
  /** A SIPS URI (TLS only). */
  readonly secure: boolean;
  /** The `maddr` URI parameter: RFC 3263 §4 "TARGET [is] the value of the maddr parameter of the URI, if present". */
  readonly maddr?: string;
}

export interface ResolvePreferences {
  /** Transports this client supports, most wanted first (orders SRV queries when there is no NAPTR). */
  readonly transports: readonly SipTransport[];
  /** Address families we can use, preferred first: [4, 6] tries A before AAAA for each host. */
  readonly families: readonly IpFamily[];
}

export const DEFAULT_RESOLVE_PREFERENCES: ResolvePreferences = {
  transports: ['udp', 'tcp', 'tls'],
  families: [4, 6],
};

export type TargetSource = 'naptr' | 'srv' | 'a' | 'aaaa' | 'literal';

/** One place to send the request. */
export interface ResolvedTarget {
  readonly address: string;
  readonly port: number;
  readonly family: IpFamily;
  readonly transport: SipTransport;
  /** Which step of RFC 3263 produced it (the first DNS step, for NAPTR → SRV → A chains). */
  readonly source: TargetSource;
  /** The DNS name the address record belongs to (absent for literals). */
  readonly hostname?: string;
}

/** RFC 3261 §19.1.2: 5060 for UDP and TCP, 5061 for TLS. */
export function defaultPort(transport: SipTransport): number {
  return transport === 'tls' ? 5061 : 5060;
}

/**
 * RFC 3263 §4.2: "The client performs an SRV query for that specific transport, using the service
 * identifier "_sips" for SIPS URIs. For a SIP URI, if the client wishes to use TLS, it also uses the
 * service identifier "_sips" for that specific transport, otherwise, it uses "_sip"."
 */
export function srvServiceName(transport: SipTransport, domain: string): string {
  switch (transport) {
    case 'udp':
      return `_sip._udp.${domain}`;
    case 'tcp':
      return `_sip._tcp.${domain}`;
    case 'tls':
      return `_sips._tcp.${domain}`;
  }
}
