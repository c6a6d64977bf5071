/**
 * `RelayedMediaPath`: plain RTP (no ICE) through our TURN relay — the media path of a call whose ICE
 * policy is relay-only (behind a symmetric NAT, the NAT verdict says a relay is required) with a peer
 * that does not do ICE.
 *
 * Our description named the relayed address as its default candidate (c=/m=, a=rtcp: RFC 8445 §5.1.4
 * lets a relayed candidate be the default, and under relay-only it is the only kind there is), so that is
 * where a peer without ICE sends its media. Nothing reaches us through the relay without a permission for
 * the sender's IP (RFC 5766 §8), and our RTP would leave the host socket through the NAT — exactly what
 * relay-only says will not work — unless it is relayed too. So:
 *
 *     peer ──RTP──▶ relayed address ──Data / ChannelData (peer's address)──▶ RelayPort ─▶ latching ─▶ session
 *     session ─▶ latching ─▶ RelayPort ──Send / ChannelData──▶ TURN server ──RTP──▶ peer (from the relayed address)
 *
 *  - permissions: created for the SDP's RTP and RTCP addresses at once (CreatePermission, §9), so the
 *    peer's first packets pass the server before we sent anything; the relay refreshes them (every 240 s).
 *  - channels: a ChannelBind (§11) for every address we send to, so media costs 4 bytes of framing rather
 *    than a Send indication's 36; the relay refreshes the binding (every 540 s).
 *  - latching: the `LatchingMediaPath` rules unchanged (symmetric RTP, RFC 4961), with the peer's source
 *    as the relay reports it: the first RTP with an expected payload type latches, the SDP address always
 *    wins, a silent source can be replaced by a steady new one. Only sources whose IP has a permission get
 *    through the server at all — the SDP's IPs, and those we send to.
 *  - retained peers: after every route change, the relay keeps refreshing permissions and channels only
 *    for the SDP addresses and the current destinations (`TurnRelay.retainPeers`).
 *  - route: `kind: 'latched'`, `relayed: true`, `local` the relayed address.
 *  - held early media: none. What reached the relay before this path existed had no permission, or went to
 *    nobody (`deliverHeld()` delivers nothing).
 *
 * The relays belong to the ICE agent that allocated them (`IceAgent.defaultRelay`): the agent releases
 * them when it closes; this path only attaches to them, and `dispose()` detaches.
 *
 * Limits: a peer behind a NAT advertises a private address; the permission for it does not admit the
 * NAT's public address, so the peer's packets are dropped by the server and the call has no audio. Such
 * a peer must do ICE (or the call must not be relay-only).
 */
import { Emitter } from '../../../../src-shared/util/emitter.ts';
import type { Disposable } from '../../../../src-shared/util/emitter.ts';
import type { SocketAddress } from '../../../platform/index.ts';
import { classifyPacket } from '../../stun/index.ts';
import type { TurnRelay } from '../../stun/index.ts';
import { LatchingMediaPath } from '../latching-media-path.ts';
import type {
  LatchState,
  LatchingMediaPathOptions,
  LatchingMediaPathStats,
  LatchingPort,
  LatchingRemote,
} from '../latching-media-path.ts';
import type { MediaPacketKind, MediaPath, MediaRoute, ReceivedMediaPacket } from '../media-path.ts';
import type { HeldMediaDatagram } from '../media-socket.ts';

export interface RelayedMediaPathOptions extends Omit<LatchingMediaPathOptions, 'rtpSocket' | 'rtcpSocket'> {
  /** The allocation our description's RTP address names (component 1). */
  readonly rtpRelay: TurnRelay;
  /** The allocation of the RTCP address (component 2); required when `remote.rtcpMux` is false. */
  readonly rtcpRelay?: TurnRelay | undefined;
}

export interface RelayedMediaPathStats extends LatchingMediaPathStats {
  /** Relayed datagrams that were neither RTP nor RTCP (a STUN check from a peer that does ICE after all…). */
  readonly notMedia: number;
}

export class RelayedMediaPath implements MediaPath {
  private readonly latching: LatchingMediaPath;
  private readonly rtpPort: RelayPort;
  private readonly rtcpPort: RelayPort | undefined;
  private remote: LatchingRemote;
  private readonly routeSubscription: Disposable;
  private disposed = false;

  constructor(options: RelayedMediaPathOptions) {
    if (!options.remote.rtcpMux && options.rtcpRelay === undefined) {
      throw new Error('RelayedMediaPath: RTCP without rtcp-mux needs the RTCP relay');
    }
    if (options.rtcpRelay === options.rtpRelay) {
      throw new Error('RelayedMediaPath: RTP and RTCP on one relay is rtcp-mux (omit rtcpRelay)');
    }
    const { rtpRelay, rtcpRelay, ...latching } = options;
    this.rtpPort = new RelayPort(rtpRelay);
    this.rtcpPort = rtcpRelay === undefined ? undefined : new RelayPort(rtcpRelay);
    this.remote = options.remote;
    this.permitSdpAddresses();
    this.latching = new LatchingMediaPath({
      ...latching,
      rtpSocket: this.rtpPort,
      ...(this.rtcpPort !== undefined && { rtcpSocket: this.rtcpPort }),
    });
    this.routeSubscription = this.latching.onRouteChange(() => this.retain());
  }

  get route(): MediaRoute {
    return { ...this.latching.route, relayed: true };
  }

  get latchState(): LatchState {
    return this.latching.latchState;
  }

  get stats(): RelayedMediaPathStats {
    return { ...this.latching.stats, notMedia: this.rtpPort.notMedia + (this.rtcpPort?.notMedia ?? 0) };
  }

  /** Listeners attached to this path (for leak checks). */
  get listenerCount(): number {
    return this.latching.listenerCount;
  }

  send(kind: MediaPacketKind, data: Uint8Array): void {
    if (this.disposed) throw new Error('RelayedMediaPath: send after dispose');
    this.latching.send(kind, data);
  }

  onPacket(listener: (packet: ReceivedMediaPacket) => void): Disposable {
    return this.latching.onPacket(listener);
  }

  onRouteChange(listener: (route: MediaRoute) => void): Disposable {
    return this.latching.onRouteChange((route) => listener({ ...route, relayed: true }));
  }

  /** A re-INVITE's new SDP: permissions for its addresses, then the latching rules (LatchingMediaPath). */
  updateRemote(remote: LatchingRemote): void {
    this.remote = remote;
    this.permitSdpAddresses();
    this.latching.updateRemote(remote);
    this.retain();
  }

  /** Nothing was held for this path (see the header). */
  deliverHeld(): void {
    if (this.disposed) throw new Error('RelayedMediaPath: deliverHeld after dispose');
    this.latching.deliverHeld();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.routeSubscription.dispose();
    this.latching.dispose();
    this.rtpPort.dispose();
    this.rtcpPort?.dispose();
  }

  /** RFC 5766 §9: a permission per IP the SDP names, before anything arrives. */
  private permitSdpAddresses(): void {
    this.rtpPort.relay.permit(this.remote.rtp);
    if (!this.remote.rtcpMux) (this.rtcpPort ?? this.rtpPort).relay.permit(this.remote.rtcp);
  }

  /** Keep refreshing only what the path can still use: the SDP addresses and where media goes now. */
  private retain(): void {
    const route = this.latching.route;
    const rtcpTo = this.remote.rtcpMux ? [] : [this.remote.rtcp, route.remoteRtcp];
    if (this.rtcpPort === undefined) {
      this.rtpPort.relay.retainPeers([this.remote.rtp, route.remote, ...rtcpTo]);
    } else {
      this.rtpPort.relay.retainPeers([this.remote.rtp, route.remote]);
      this.rtcpPort.relay.retainPeers(rtcpTo);
    }
  }
}

/**
 * A TURN allocation as the latching path's "socket": its relayed address is `local`, data the relay
 * reports (with the peer's address) is split into RTP and RTCP (RFC 7983, RFC 5761 §4), and what is sent
 * goes through the relay on a channel bound to the destination.
 */
class RelayPort implements LatchingPort {
  readonly relay: TurnRelay;
  notMedia = 0;
  private readonly rtp = new Emitter<{ data: Buffer; from: SocketAddress }>();
  private readonly rtcp = new Emitter<{ data: Buffer; from: SocketAddress }>();
  private readonly subscription: Disposable;

  constructor(relay: TurnRelay) {
    this.relay = relay;
    this.subscription = relay.onData((data, from) => {
      const kind = classifyPacket(data);
      if (kind === 'rtp') this.rtp.emit({ data, from });
      else if (kind === 'rtcp') this.rtcp.emit({ data, from });
      else this.notMedia++;
    });
  }

  get local(): SocketAddress {
    return this.relay.relayed ?? { address: '0.0.0.0', port: 0, family: 4 };
  }

  send(data: Uint8Array, to: SocketAddress): void {
    // ChannelBind once per destination (a no-op after the first); until it is bound, Send indications.
    this.relay.bindChannel(to);
    this.relay.send(data, to);
  }

  onRtp(listener: (data: Buffer, from: SocketAddress) => void): Disposable {
    return this.rtp.on(({ data, from }) => listener(data, from));
  }

  onRtcp(listener: (data: Buffer, from: SocketAddress) => void): Disposable {
    return this.rtcp.on(({ data, from }) => listener(data, from));
  }

  takeHeldMedia(): HeldMediaDatagram[] {
    return [];
  }

  dispose(): void {
    this.subscription.dispose();
    this.rtp.clear();
    this.rtcp.clear();
  }
}
