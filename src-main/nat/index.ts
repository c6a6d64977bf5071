/**
 * nat — finding out what the network between us and the internet does to calls, and what to do about it:
 * STUN/TURN server discovery from the SIP domain (DNS SRV) and configuration, server tests (Binding RTT,
 * real TURN allocations), RFC 5780 behaviour discovery (mapping, filtering, hairpinning, binding
 * lifetime), direct-path prediction between NAT types, SIP ALG detection, the verdict and ICE policy, and
 * the report in plain words. `NatMonitor` re-runs the check when the network changes.
 */
export { runNatCheck, DEFAULT_LIFETIME_MAX_S } from './nat-check.ts';
export type { NatCheckOptions } from './nat-check.ts';
export { NatMonitor } from './nat-monitor.ts';
export type { NatMonitorOptions, NatMonitorState, NatReportUpdate } from './nat-monitor.ts';
export { parseServerUri, serverUriOf, DEFAULT_PORT } from './server-uri.ts';
export type { ServerUri, ServerUriResult } from './server-uri.ts';
export { discoverServers } from './server-discovery.ts';
export type {
  DiscoverServersOptions,
  ServerDiscovery,
  ServerToTest,
  SrvLookup,
  TurnCredentials,
} from './server-discovery.ts';
export { probeServer } from './server-probe.ts';
export type { ServerProbeResult } from './server-probe.ts';
export { discoverBehavior } from './behavior-discovery.ts';
export type {
  BehaviorDiscoveryOptions,
  BehaviorDiscoveryResult,
  DiscoveryNote,
} from './behavior-discovery.ts';
export { measureBindingLifetime, lifetimeDelays, LIFETIME_DELAYS_S } from './binding-lifetime.ts';
export type { LifetimeOptions, LifetimeResult } from './binding-lifetime.ts';
export { BEHAVIORS, UNKNOWN_BEHAVIOR, behaviorOf, behaviorsOfNatType, known, natTypeOf } from './nat-type.ts';
export type { Behavior, BehaviorKnowledge, NatBehaviorKnowledge } from './nat-type.ts';
export { directPathBetween, predictDirectPath } from './direct-path.ts';
export type { NatBehaviors } from './direct-path.ts';
export { detectSipAlg } from './sip-alg.ts';
export type { HostPort, SipAlgEvidence, SipAlgObservation, SipAlgVerdict } from './sip-alg.ts';
export { PEER_CLASSES, choosePolicy, decideVerdict, directPathTable, rankServers } from './verdict.ts';
export type { DirectPathTable, PeerClass, VerdictInput } from './verdict.ts';
export { explain } from './explanation.ts';
export type { ExplanationInput } from './explanation.ts';
export { NAT_TEST_TIMING, delay, median } from './probe-context.ts';
export type { ProbeContext, TlsTrust } from './probe-context.ts';
