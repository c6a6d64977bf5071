/**
 * What setting up an account finds out about a SIP domain before it registers: where its SIP servers
 * are (RFC 3263: NAPTR → SRV → A/AAAA, every transport the phone speaks) and which STUN/TURN servers
 * it publishes (RFC 5389 §9, RFC 5766 §6.1, RFC 7065: `_stun._udp`, `_stuns._tcp`, `_turn._udp`,
 * `_turn._tcp`, `_turns._tcp`). The onboarding screen shows it in plain words and picks the transport.
 */
import { z } from 'zod';
import { HostPort } from './account.ts';

export const DiscoverRequest = z.strictObject({
  /** The SIP domain as the user typed it: `example.com`, `pbx.local:5062`, `192.0.2.1`, `[2001:db8::1]`. */
  domain: HostPort,
});
export type DiscoverRequest = z.infer<typeof DiscoverRequest>;

/** Which step of RFC 3263 produced a target (the first DNS step of a NAPTR → SRV → A chain). */
export const SipTargetSource = z.enum(['naptr', 'srv', 'a', 'aaaa', 'literal']);
export type SipTargetSource = z.infer<typeof SipTargetSource>;

/** One place the domain's SIP requests would go, in the order RFC 3263 tries them. */
export const DiscoveredSipTarget = z.strictObject({
  transport: z.enum(['udp', 'tcp', 'tls']),
  /** IP address (IPv6 without brackets). */
  address: z.string().min(1).max(64),
  port: z.int().min(1).max(65_535),
  /** The DNS name the address belongs to (the SRV target), null for an IP literal. */
  hostname: z.string().max(255).nullable(),
  source: SipTargetSource,
});
export type DiscoveredSipTarget = z.infer<typeof DiscoveredSipTarget>;

/** A STUN or TURN server the domain publishes in DNS. */
export const DiscoveredNatServer = z.strictObject({
  /** `stun:host:port`, `turn:host:port?transport=tcp`, `turns:…`. */
  uri: z.string().max(300),
  kind: z.enum(['stun', 'turn']),
  transport: z.enum(['udp', 'tcp', 'tls']),
  host: z.string().max(255),
  port: z.int().min(1).max(65_535),
  /** Where the name led ('ip:port', IPv6 in brackets); empty when it did not resolve. */
  addresses: z.array(z.string().max(64)).max(16),
});
export type DiscoveredNatServer = z.infer<typeof DiscoveredNatServer>;

/**
 * A DNS answer that was an error rather than "no such record" (timeout, server failure), or a lookup
 * that did not finish in time (`code` 'ETIMEOUT' for the whole step).
 */
export const DiscoveryProblem = z.strictObject({
  /** What was being looked up: 'sip' (RFC 3263) or 'stun-turn' (SRV). */
  step: z.enum(['sip', 'stun-turn']),
  /** The DNS name, e.g. `_sip._udp.example.com`. */
  name: z.string().max(300),
  /** The resolver's code: ENOTFOUND (no such domain), ETIMEOUT, ESERVFAIL, ECONNREFUSED… */
  code: z.string().max(40),
});
export type DiscoveryProblem = z.infer<typeof DiscoveryProblem>;

export const DISCOVERY_LIST_MAX = 32;

export const Discovery = z.strictObject({
  /** The domain looked up (host part, lower case, no port). */
  domain: z.string().max(255),
  /** RFC 3263 targets in order; empty when the domain has no SIP server the phone could reach. */
  sipTargets: z.array(DiscoveredSipTarget).max(DISCOVERY_LIST_MAX),
  stunTurn: z.array(DiscoveredNatServer).max(DISCOVERY_LIST_MAX),
  problems: z.array(DiscoveryProblem).max(DISCOVERY_LIST_MAX),
});
export type Discovery = z.infer<typeof Discovery>;
