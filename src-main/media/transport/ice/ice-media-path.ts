/**
 * `IceMediaPath`: the `MediaPath` of a call whose peer does ICE — media on the pair the agent selected for
 * each component, directly from the media socket or through the TURN relay.
 *
 *  - send: RTP on component 1's pair; RTCP on component 2's (component 1's with rtcp-mux). Before a pair
 *    is selected the best valid pair is used (RFC 8445 §12.1 allows it); with none, or after consent was
 *    lost (RFC 7675 §5.1: "MUST cease transmission"), packets are dropped and counted.
 *  - receive: only from the remote of the component's media pair, through that pair's base — the socket
 *    for a direct pair, the relay (whose Data/ChannelData names the peer) for a relayed one — or from the
 *    remote of another pair the controlling agent nominated. Everything else is dropped and counted
 *    (`foreignSource`): a third party that learned our address cannot inject audio.
 *  - held early media (MediaSocket.holdUnclaimedMedia, `deliverHeld()`): by the same rule, checked when
 *    it is delivered — so it passes only when the agent already accepts media from its source then.
 *    What it does not accept is dropped (`heldForeignSource`): a held packet never selects a pair.
 *  - route: the pair's addresses, candidate types and relay transport; `onRouteChange` when ICE selects
 *    or switches pairs (a restart included).
 *
 * Do not attach a LatchingMediaPath to the same sockets (see media/transport's index).
 */
import { Emitter } from '../../../../src-shared/util/emitter.ts';
import type { Disposable } from '../../../../src-shared/util/emitter.ts';
import type { SocketAddress } from '../../../platform/index.ts';
import type { MediaPacketKind, MediaPath, MediaRoute, ReceivedMediaPacket } from '../media-path.ts';
import type { IceCandidateType, IceComponent, TurnTransport } from './candidate.ts';
import type { IceAgent } from './ice-agent.ts';

export interface IceRoute extends MediaRoute {
  readonly kind: 'ice';
  /** A pair is selected on component 1 (before that: the best valid pair, or nothing at all). */
  readonly selected: boolean;
  readonly localType: IceCandidateType | undefined;
  readonly remoteType: IceCandidateType | undefined;
  readonly protocol: 'udp';
  /** How the TURN server is reached, when relayed. */
  readonly relayTransport: TurnTransport | undefined;
}

export interface IceMediaPathStats {
  readonly accepted: { readonly rtp: number; readonly rtcp: number };
  readonly sent: { readonly rtp: number; readonly rtcp: number };
  readonly dropped: {
    /** Received from an address that is not the media pair's remote (or not through its base). */
    readonly foreignSource: number;
    /** Not sent: no valid pair yet. */
    readonly noRoute: number;
    /** Not sent: consent lost, ICE failed or closed. */
    readonly noConsent: number;
    /** RTP on the RTCP socket. */
    readonly misdirected: number;
    /** Held early media from an address the agent did not accept media from when it was delivered. */
    readonly heldForeignSource: number;
  };
}

export class IceMediaPath implements MediaPath {
  private readonly agent: IceAgent;
  private readonly packets = new Emitter<ReceivedMediaPacket>();
  private readonly routeChanges = new Emitter<MediaRoute>();
  private readonly subscriptions: Disposable[] = [];
  private readonly rtcpComponent: IceComponent;
  private disposed = false;
  private readonly accepted = { rtp: 0, rtcp: 0 };
  private readonly sent = { rtp: 0, rtcp: 0 };
  private readonly dropped = {
    foreignSource: 0,
    noRoute: 0,
    noConsent: 0,
    misdirected: 0,
    heldForeignSource: 0,
  };

  constructor(agent: IceAgent) {
    this.agent = agent;
    this.rtcpComponent = agent.components.includes(2) ? 2 : 1;
    const rtpSocket = agent.socketOf(1);
    if (rtpSocket === undefined) throw new Error('IceMediaPath: the agent has no RTP socket');
    this.subscriptions.push(
      rtpSocket.onRtp((data, from) => this.receive(1, 'rtp', data, from)),
      rtpSocket.onRtcp((data, from) => this.receive(1, 'rtcp', data, from)),
    );
    const rtcpSocket = this.rtcpComponent === 2 ? agent.socketOf(2) : undefined;
    if (rtcpSocket !== undefined) {
      this.subscriptions.push(
        rtcpSocket.onRtcp((data, from) => this.receive(2, 'rtcp', data, from)),
        rtcpSocket.onRtp(() => void this.dropped.misdirected++),
      );
    }
    this.subscriptions.push(
      agent.onRelayedMedia((packet) => {
        if (this.disposed) return;
        if (packet.kind === 'rtp' && packet.component === 2) {
          this.dropped.misdirected++;
          return;
        }
        if (!agent.acceptsMedia(packet.component, packet.relay, packet.from)) {
          this.dropped.foreignSource++;
          return;
        }
        this.deliver(packet.kind, packet.data, packet.from);
      }),
      agent.onMediaRouteChange(() => {
        if (!this.disposed) this.routeChanges.emit(this.route);
      }),
    );
  }

  get route(): IceRoute {
    const rtp = this.agent.mediaPair(1);
    const rtcp = this.rtcpComponent === 2 ? this.agent.mediaPair(2) : rtp;
    const socket = this.agent.socketOf(1);
    const local = rtp?.local.address ?? socket?.local ?? unspecified(4);
    const remote = rtp?.remote.address ?? unspecified(local.family);
    return {
      local,
      remote,
      remoteRtcp: rtcp?.remote.address ?? remote,
      kind: 'ice',
      relayed: rtp?.relayed ?? false,
      selected: this.agent.hasMediaSelection(1),
      localType: rtp?.local.type,
      remoteType: rtp?.remote.type,
      protocol: 'udp',
      relayTransport: rtp?.local.relayTransport,
    };
  }

  get stats(): IceMediaPathStats {
    return { accepted: { ...this.accepted }, sent: { ...this.sent }, dropped: { ...this.dropped } };
  }

  /** Listeners attached to this path (for leak checks). */
  get listenerCount(): number {
    return this.packets.listenerCount + this.routeChanges.listenerCount;
  }

  send(kind: MediaPacketKind, data: Uint8Array): void {
    if (this.disposed) throw new Error('IceMediaPath: send after dispose');
    const result = this.agent.sendMedia(kind === 'rtp' ? 1 : this.rtcpComponent, data);
    switch (result) {
      case 'sent':
        this.sent[kind]++;
        return;
      case 'no-route':
        this.dropped.noRoute++;
        return;
      case 'no-consent':
        this.dropped.noConsent++;
        return;
    }
  }

  onPacket(listener: (packet: ReceivedMediaPacket) => void): Disposable {
    return this.packets.on(listener);
  }

  onRouteChange(listener: (route: MediaRoute) => void): Disposable {
    return this.routeChanges.on(listener);
  }

  /** The early media the component sockets held, accepted by the agent's rule as it stands now. */
  deliverHeld(): void {
    if (this.disposed) throw new Error('IceMediaPath: deliverHeld after dispose');
    for (const component of this.rtcpComponent === 2 ? ([1, 2] as const) : ([1] as const)) {
      for (const held of this.agent.socketOf(component)?.takeHeldMedia() ?? []) {
        if (component === 2 && held.kind === 'rtp') this.dropped.misdirected++;
        else if (!this.agent.acceptsMedia(component, undefined, held.from)) this.dropped.heldForeignSource++;
        else this.deliver(held.kind, held.data, held.from);
      }
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const s of this.subscriptions.splice(0)) s.dispose();
    this.packets.clear();
    this.routeChanges.clear();
  }

  private receive(component: IceComponent, kind: MediaPacketKind, data: Buffer, from: SocketAddress): void {
    if (this.disposed) return;
    if (!this.agent.acceptsMedia(component, undefined, from)) {
      this.dropped.foreignSource++;
      return;
    }
    this.deliver(kind, data, from);
  }

  private deliver(kind: MediaPacketKind, data: Buffer, from: SocketAddress): void {
    this.accepted[kind]++;
    this.packets.emit({ kind, data, from });
  }
}

function unspecified(family: 4 | 6): SocketAddress {
  return { address: family === 6 ? '::' : '0.0.0.0', port: 0, family };
}
