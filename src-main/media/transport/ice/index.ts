/**
 * media/transport/ice — our RFC 8445 full ICE agent on the call's own media sockets (ARCHITECTURE.md,
 * "The media transport decision"), with RFC 7675 consent freshness and TURN relays (RFC 5766/8656) over
 * UDP, TCP and TLS — made with media/stun's `TurnRelay`, the TURN client the NAT diagnostics use too.
 *
 *   const agent = new IceAgent({ clock, network, rtpSocket, rtcpSocket, role: 'controlling',
 *                                stunServers, turnServers, policy: verdictSaysRelay ? 'relay-only' : 'all' });
 *   const candidates = await agent.gather();          // → SDP (call/ice-sdp.ts), with agent.credentials
 *   agent.setRemote({ ufrag, pwd, lite, candidates }); // from the peer's SDP → checks → 'connected'
 *   const path = new IceMediaPath(agent);              // the RTP session's MediaPath
 *   // …or, relay-only and the peer has no ICE: plain RTP through the default relays
 *   new RelayedMediaPath({ clock, rtpRelay: agent.defaultRelay(1), rtcpRelay: agent.defaultRelay(2), remote });
 *   agent.onConsentLost(…)                             // end the call or restart(): new credentials, re-offer
 *   await agent.close();                               // releases TURN allocations
 *
 * The agent is protocol logic on the Clock and the sockets it is given; the SDP side is call/ice-sdp.ts.
 */
export type {
  FoundationInputs,
  IceCandidate,
  IceCandidateType,
  IceComponent,
  IceRole,
  TurnTransport,
} from './candidate.ts';
export {
  ICE_CANDIDATE_TYPES,
  MAX_LOCAL_PREFERENCE,
  TYPE_PREFERENCE,
  candidateFoundation,
  candidatePriority,
  describeCandidate,
  isLinkLocalIpv6,
  pairPriority,
} from './candidate.ts';
export type { IceCredentials, IceLogLevel, IceLogger, RandomBytes } from './credentials.ts';
export { generateCredentials, generateTieBreaker, silentIceLogger } from './credentials.ts';
export type { GatherServerReport, IceCandidatePolicy } from './candidate-gatherer.ts';
export type { PairState } from './candidate-pair.ts';
export type {
  IceAgentOptions,
  IceAgentState,
  IceCheckCounters,
  IceEndpointInfo,
  IceFailure,
  IceLocalEndpointInfo,
  IceRemoteDescription,
  IceSelectedPair,
  IceSnapshot,
  IceStateChange,
  MediaSendResult,
  RelayedMediaPacket,
} from './ice-agent.ts';
export { ICE_DEFAULTS, IceAgent } from './ice-agent.ts';
export type { IceMediaPathStats, IceRoute } from './ice-media-path.ts';
export { IceMediaPath } from './ice-media-path.ts';
export type { RelayedMediaPathOptions, RelayedMediaPathStats } from './relayed-media-path.ts';
export { RelayedMediaPath } from './relayed-media-path.ts';
// The TURN client is media/stun's `TurnRelay`; the agent's `turnServers` option takes its configuration.
export type { TurnServerConfig } from '../../stun/index.ts';
