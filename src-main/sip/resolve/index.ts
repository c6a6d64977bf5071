/**
 * sip/resolve — where to send a SIP request: RFC 3263 server location (NAPTR → SRV → A/AAAA) with RFC
 * 2782 ordering and §4.3 failover, plus RFC 3261 next-hop selection (loose/strict routing, outbound
 * proxy). DNS only through the platform `Resolver` port.
 */
export { isIpv4, isIpv6, parseIpLiteral } from './ip.ts';
export type { IpLiteral } from './ip.ts';
export { DnsLookupCache, TargetIterator, resolveTargets } from './locator.ts';
export type { DnsAnswer, DnsRecordType, LocateOptions, ResolveProblem } from './locator.ts';
export { selectNaptrServices } from './naptr.ts';
export type { SipNaptrService } from './naptr.ts';
export { routeRequest, routeRequestWithOutboundProxy, targetOf } from './route.ts';
export type { OutboundProxyConfig, RequestRouting, RoutableUri } from './route.ts';
export { isServiceUnavailableMarker, orderSrvRecords } from './srv.ts';
export type { RandomSource } from './srv.ts';
export { DEFAULT_RESOLVE_PREFERENCES, defaultPort, srvServiceName } from './target.ts';
export type { ResolvePreferences, ResolvedTarget, SipTarget, SipTransport, TargetSource } from './target.ts';
