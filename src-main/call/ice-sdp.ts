/**
 * ICE in the offer/answer (RFC 8839), as pure functions between the SDP model (sdp/) and the ICE agent
 * (media/transport): what we put in our descriptions, what we read from the peer's, and the decisions
 * that depend on both.
 *
 *   ours:   iceMediaAttributes(credentials, candidates)  → a=ice-ufrag, a=ice-pwd, a=ice-options:ice2,
 *                                                          a=candidate…, a=end-of-candidates
 *           iceMediaEndpoint(candidates, rtcpMux)         → c=/m= (and a=rtcp): the default candidates
 *   theirs: chooseMediaTransport(media, session, role)    → ICE with the peer's description, or plain RTP
 *                                                          on the same socket (LatchingMediaPath), and
 *                                                          whether our answer says a=ice-mismatch
 *   later:  needsUpdatedOffer(agent, lastOffer)           → the controlling agent's updated offer, with
 *           updatedOfferMedia(agent)                        the selected candidates in c=/m= and
 *                                                          a=remote-candidates
 *           isIceRestart(previous, next)                  → the peer restarted ICE (new ufrag/pwd)
 *
 * Decisions:
 *  - No trickle (RFC 8840): SIP offers carry complete candidate lists, so we never offer
 *    `ice-options:trickle` and always end the list with `a=end-of-candidates`. We do offer `ice2`
 *    (RFC 8445 §10: it tells the peer we follow RFC 8445, not RFC 5245).
 *  - Default candidate (RFC 5245 §4.1.4: "it is RECOMMENDED that default candidates be chosen based on
 *    the likelihood of those candidates to work with the peer"): relayed, else server-reflexive, else
 *    host — highest priority within the type.
 *  - Only UDP candidates with IP literal addresses are taken from the peer; TCP candidates (RFC 6544),
 *    FQDN and mDNS (`.local`) addresses are skipped.
 */
import {
  attributeValues,
  formatCandidate,
  formatRemoteCandidates,
  hasAttribute,
  hasRtcpMux,
  iceDescription,
  isUnspecifiedAddress,
  mediaConnection,
  offersIce,
  readCandidate,
  rtcpAttribute,
} from '../sdp/index.ts';
import type {
  Attribute,
  IceCandidate as SdpCandidate,
  MediaDescription,
  MediaEndpoint,
  RemoteCandidate as SdpRemoteCandidate,
  SessionDescription,
} from '../sdp/index.ts';
import { ICE_CANDIDATE_TYPES } from '../media/transport/index.ts';
import { parseIp } from '../platform/index.ts';
import type {
  IceAgent,
  IceCandidate,
  IceCandidateType,
  IceComponent,
  IceCredentials,
  IceRemoteDescription,
} from '../media/transport/index.ts';

/** The answerer's "a=ice-mismatch" (RFC 8839 §4.2.5): ICE capable, but the offer's default matched no candidate. */
export const ICE_MISMATCH_ATTRIBUTE: Attribute = { name: 'ice-mismatch' };

// ───────────────────────────── candidates ─────────────────────────────

export function toSdpCandidate(c: IceCandidate): SdpCandidate {
  return {
    foundation: c.foundation,
    component: c.component,
    transport: 'UDP',
    priority: c.priority,
    address: c.address.address,
    port: c.address.port,
    type: c.type,
    relatedAddress: c.related?.address,
    relatedPort: c.related?.port,
    extensions: [],
  };
}

/** The peer's candidate as the agent takes it; undefined for what we do not use (see the header). */
export function fromSdpCandidate(c: SdpCandidate): IceCandidate | undefined {
  if (c.transport.toUpperCase() !== 'UDP') return undefined;
  if (c.component !== 1 && c.component !== 2) return undefined;
  const type = ICE_CANDIDATE_TYPES.find((t) => t === c.type);
  // Canonical text (RFC 5952), as the sockets report sources: the agent compares addresses as strings.
  const address = parseIp(c.address);
  if (type === undefined || address === undefined || c.port === 0 || c.priority < 1) return undefined;
  const related = c.relatedAddress === undefined ? undefined : parseIp(c.relatedAddress);
  return {
    foundation: c.foundation,
    component: c.component,
    transport: 'udp',
    priority: c.priority,
    address: { address: address.address, port: c.port, family: address.family },
    type,
    ...(related !== undefined && c.relatedPort !== undefined
      ? { related: { address: related.address, port: c.relatedPort, family: related.family } }
      : {}),
  };
}

// ───────────────────────────── our description ─────────────────────────────

/** Our ICE attributes for the audio m-line (RFC 8839 §5). */
export function iceMediaAttributes(
  credentials: IceCredentials,
  candidates: readonly IceCandidate[],
): Attribute[] {
  return [
    { name: 'ice-ufrag', value: credentials.ufrag },
    { name: 'ice-pwd', value: credentials.pwd },
    { name: 'ice-options', value: 'ice2' },
    ...candidates.map((c) => ({ name: 'candidate', value: formatCandidate(toSdpCandidate(c)) })),
    // RFC 8840 §4.1: a full list is ended explicitly; harmless to peers that do not trickle.
    { name: 'end-of-candidates' },
  ];
}

/** RFC 5245 §4.1.4's recommended order of default candidates. */
export const DEFAULT_CANDIDATE_ORDER: readonly IceCandidateType[] = ['relay', 'srflx', 'host'];

/**
 * The default candidate of a component (see the header): relay > srflx > host, then priority. `order`
 * replaces the type order (the call's ICE transport prefers its own socket's addresses, see
 * ice-media-transport.ts).
 */
export function defaultCandidate(
  candidates: readonly IceCandidate[],
  component: IceComponent,
  order: readonly IceCandidateType[] = DEFAULT_CANDIDATE_ORDER,
): IceCandidate | undefined {
  for (const type of order) {
    const best = candidates
      .filter((c) => c.component === component && c.type === type)
      .sort((a, b) => b.priority - a.priority)[0];
    if (best !== undefined) return best;
  }
  return undefined;
}

/**
 * c=/m= (and a=rtcp without rtcp-mux, RFC 3605) from the default candidates: where a peer without ICE
 * sends. Undefined when component 1 has no candidate.
 */
export function iceMediaEndpoint(
  candidates: readonly IceCandidate[],
  rtcpMux: boolean,
  order: readonly IceCandidateType[] = DEFAULT_CANDIDATE_ORDER,
): MediaEndpoint | undefined {
  const rtp = defaultCandidate(candidates, 1, order);
  if (rtp === undefined) return undefined;
  const rtcp = rtcpMux ? undefined : defaultCandidate(candidates, 2, order);
  return {
    address: rtp.address.address,
    port: rtp.address.port,
    ...(rtcp !== undefined ? { rtcpPort: rtcp.address.port } : {}),
    ...(rtcp !== undefined && rtcp.address.address !== rtp.address.address
      ? { rtcpAddress: rtcp.address.address }
      : {}),
  };
}

// ───────────────────────────── the peer's description ─────────────────────────────

/** The peer's ICE parameters for a media section; undefined when it has no ice-ufrag/ice-pwd. */
export function remoteIceDescription(
  media: MediaDescription,
  session: SessionDescription,
): IceRemoteDescription | undefined {
  if (!offersIce(media, session)) return undefined;
  const ice = iceDescription(media, session);
  const candidates: IceCandidate[] = [];
  for (const c of ice.candidates) {
    const taken = fromSdpCandidate(c);
    if (taken !== undefined) candidates.push(taken);
  }
  return {
    ufrag: ice.ufrag ?? '',
    pwd: ice.pwd ?? '',
    lite: ice.lite,
    candidates,
    // Without trickle the list is complete by definition (RFC 8840 §4.2 needs ice-options:trickle).
    endOfCandidates: ice.endOfCandidates || !ice.options.includes('trickle'),
  };
}

/**
 * ICE mismatch (RFC 8839 §4.2.5, "Verifying ICE Support"): the default destination of each component —
 * c= address and m= port, and the RTCP destination without rtcp-mux — must appear in a candidate
 * attribute; otherwise something between the agents (an SDP-rewriting ALG, a B2BUA) changed the
 * addresses, and ICE must not be used. A trickle placeholder (c=0.0.0.0 with port 9, RFC 8840) is no
 * mismatch.
 */
export function hasIceMismatch(media: MediaDescription, session: SessionDescription): boolean {
  const connection = mediaConnection(media, session);
  if (connection === undefined) return true;
  if (isUnspecifiedAddress(connection.address) && media.port === 9) return false;
  const candidates = iceDescription(media, session).candidates;
  const listed = (component: number, address: string, port: number): boolean =>
    candidates.some((c) => c.component === component && c.port === port && sameIp(c.address, address));
  if (!listed(1, connection.address, media.port)) return true;
  if (hasRtcpMux(media)) return false;
  const component2 = candidates.filter((c) => c.component === 2);
  if (component2.length === 0) return false;
  const rtcp = rtcpAttribute(media);
  return !listed(2, rtcp?.address ?? connection.address, rtcp?.port ?? media.port + 1);
}

/** One address written two ways (RFC 5952: IPv6 text has many forms; SDP does not insist on one). */
function sameIp(a: string, b: string): boolean {
  return canonicalIp(a) === canonicalIp(b);
}

/** A numeric address in canonical form (the sockets' form); a name lower-cased. */
function canonicalIp(address: string): string {
  return parseIp(address)?.address ?? address.toLowerCase();
}

/** How the call's media travels, decided from the peer's description of the audio section. */
export type MediaTransportDecision =
  | { readonly transport: 'ice'; readonly remote: IceRemoteDescription }
  | {
      readonly transport: 'latching';
      /**
       * `no-ice`: the peer does not do ICE (no ice-ufrag/ice-pwd); `ice-mismatch`: it does, but the
       * offer's default address matched none of its candidates (we answer with a=ice-mismatch), or its
       * answer said a=ice-mismatch.
       */
      readonly reason: 'no-ice' | 'ice-mismatch';
      /** Put `a=ice-mismatch` (and no other ICE attribute) in our answer. */
      readonly answerWithMismatch: boolean;
    };

/**
 * ICE or plain RTP. As answerer (the description is the offer): ICE when the offer has ICE parameters and
 * no mismatch; a mismatch is answered with a=ice-mismatch. As offerer (the description is the answer):
 * ICE when the answer has ICE parameters and no a=ice-mismatch. Otherwise the call falls back to plain
 * RTP as RFC 3264 describes it: the socket we advertised in c=/m= (our default candidate's socket) carries
 * symmetric RTP to the peer's c=/m=, with a LatchingMediaPath — no connectivity checks, no consent.
 */
export function chooseMediaTransport(
  media: MediaDescription,
  session: SessionDescription,
  role: 'offerer' | 'answerer',
): MediaTransportDecision {
  if (role === 'offerer' && hasAttribute(media.attributes, 'ice-mismatch')) {
    return { transport: 'latching', reason: 'ice-mismatch', answerWithMismatch: false };
  }
  const remote = remoteIceDescription(media, session);
  if (remote === undefined) return { transport: 'latching', reason: 'no-ice', answerWithMismatch: false };
  if (role === 'answerer' && hasIceMismatch(media, session)) {
    return { transport: 'latching', reason: 'ice-mismatch', answerWithMismatch: true };
  }
  return { transport: 'ice', remote };
}

/** RFC 8839 §4.4.1.1.1: the peer restarted ICE when its ice-ufrag or ice-pwd changed. */
export function isIceRestart(
  previous: IceRemoteDescription | undefined,
  next: IceRemoteDescription,
): boolean {
  return previous !== undefined && (previous.ufrag !== next.ufrag || previous.pwd !== next.pwd);
}

// ───────────────────────────── the updated offer ─────────────────────────────

/** What the updated offer needs from the agent: its role, state and selected pairs. */
export type IceSelectionView = Pick<IceAgent, 'role' | 'state' | 'components' | 'selectedPair'>;

/**
 * The controlling agent's updated offer: once ICE has selected pairs whose local candidates are not the
 * defaults of the last offer, it offers again with the selected candidates in c=/m= and their remote
 * candidates in a=remote-candidates (RFC 5245 §8.1.2 and §9.1.2.2, kept by RFC 8839 for subsequent
 * offers), so that middleboxes and the signalling see where media really flows.
 */
export function needsUpdatedOffer(
  agent: IceSelectionView,
  lastOffer: { readonly media: MediaDescription; readonly session: SessionDescription },
): boolean {
  if (agent.role !== 'controlling' || agent.state !== 'connected') return false;
  const connection = mediaConnection(lastOffer.media, lastOffer.session);
  if (connection === undefined) return true;
  for (const component of agent.components) {
    const selected = agent.selectedPair(component);
    if (selected === undefined) return false;
    const expected =
      component === 1
        ? { address: connection.address, port: lastOffer.media.port }
        : rtcpDefault(lastOffer.media, connection.address);
    if (
      !sameIp(selected.local.address.address, expected.address) ||
      selected.local.address.port !== expected.port
    )
      return true;
  }
  return false;
}

function rtcpDefault(media: MediaDescription, address: string): { address: string; port: number } {
  if (hasRtcpMux(media)) return { address, port: media.port };
  const rtcp = rtcpAttribute(media);
  return { address: rtcp?.address ?? address, port: rtcp?.port ?? media.port + 1 };
}

/** `a=remote-candidates` (RFC 8839 §5.2): the selected pairs' remote candidates, one per component. */
export function remoteCandidatesAttribute(agent: IceSelectionView): Attribute | undefined {
  const list: SdpRemoteCandidate[] = [];
  for (const component of agent.components) {
    const selected = agent.selectedPair(component);
    if (selected === undefined) return undefined;
    list.push({ component, address: selected.remote.address.address, port: selected.remote.address.port });
  }
  return list.length === 0 ? undefined : { name: 'remote-candidates', value: formatRemoteCandidates(list) };
}

/**
 * The media endpoint and extra attributes of the updated offer: c=/m= (a=rtcp) carry the selected local
 * candidates, and a=remote-candidates names the remote ones.
 */
export function updatedOfferMedia(
  agent: IceSelectionView & Pick<IceAgent, 'credentials' | 'localCandidates'>,
): { endpoint: MediaEndpoint; attributes: Attribute[] } | undefined {
  const rtp = agent.selectedPair(1);
  const remoteCandidates = remoteCandidatesAttribute(agent);
  if (rtp === undefined || remoteCandidates === undefined) return undefined;
  const rtcp = agent.components.includes(2) ? agent.selectedPair(2) : undefined;
  return {
    endpoint: {
      address: rtp.local.address.address,
      port: rtp.local.address.port,
      ...(rtcp !== undefined ? { rtcpPort: rtcp.local.address.port } : {}),
      ...(rtcp !== undefined && rtcp.local.address.address !== rtp.local.address.address
        ? { rtcpAddress: rtcp.local.address.address }
        : {}),
    },
    attributes: [...iceMediaAttributes(agent.credentials, agent.localCandidates), remoteCandidates],
  };
}

/** Every `a=candidate` of a section that the agent would take (for diagnostics and tests). */
export function usableRemoteCandidates(media: MediaDescription): IceCandidate[] {
  const out: IceCandidate[] = [];
  for (const value of attributeValues(media.attributes, 'candidate')) {
    const reading = readCandidate(value);
    if (!reading.ok) continue;
    const taken = fromSdpCandidate(reading.value);
    if (taken !== undefined) out.push(taken);
  }
  return out;
}
