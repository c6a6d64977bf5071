/**
 * media/transport — the call's own media sockets and the paths media takes over them.
 *
 *  - `MediaPortAllocator`: binds an even/odd RTP/RTCP pair (or one socket with rtcp-mux) inside the
 *    configured port range, IPv4 or IPv6, from a random start, skipping ports in use.
 *  - `MediaSocket`: one socket with the RFC 7983 demultiplexer in front (media/stun's `classifyPacket`:
 *    STUN / TURN ChannelData / RTP / RTCP, the last two split by RFC 5761 §4). Everything else is dropped and counted. From
 *    `holdUnclaimedMedia()` it keeps the early RTP/RTCP nobody listens for yet (bounded), until the
 *    media path takes it with `deliverHeld()` and checks where it came from.
 *  - `MediaPath`: what the RTP session sends through and receives from. `LatchingMediaPath` implements
 *    it for peers without ICE (symmetric RTP, latching to the peer's real source; see its header for the
 *    security trade-off).
 *
 * ## For the ICE agent (and the NAT/STUN code)
 *
 *  - Attach to `MediaSocket.onStun(listener)`: every STUN message arriving on the media port (binding
 *    requests from the peer's checks, responses to ours, TURN responses and Data indications) is handed
 *    over with its source address. Answer with `MediaSocket.send(data, to)` on the same socket, so the
 *    checked address is the one media flows on. TURN ChannelData comes through `onChannelData`.
 *    Without a STUN listener, STUN datagrams are dropped and counted in `stats.unhandled`.
 *  - Provide your own `MediaPath` on the same sockets once a pair is nominated: subscribe to
 *    `onRtp`/`onRtcp`, accept only packets from the selected pair (or unwrap relayed data from the TURN
 *    client), send with `MediaSocket.send` (or through the relay), and report
 *    `route = { local, remote, remoteRtcp, kind: 'ice', relayed }`, and give held early media
 *    (`deliverHeld`, `MediaSocket.takeHeldMedia`) the same source check. The RTP session takes any
 *    MediaPath.
 *    Do not attach a LatchingMediaPath and an ICE path to one socket at the same time: both would
 *    deliver the same RTP.
 */
// RFC 7983 classification: media/stun's classifyPacket (the one classifier, also for the SIP socket).
export type {
  DatagramListener,
  HeldMediaDatagram,
  MediaHoldOptions,
  MediaSocketComponent,
  MediaSocketStats,
} from './media-socket.ts';
export { DEFAULT_MEDIA_HOLD, MediaSocket } from './media-socket.ts';
export type {
  MediaPortAllocation,
  MediaPortAllocatorOptions,
  MediaPortRange,
  MediaPortRequest,
} from './port-allocator.ts';
export { DEFAULT_MEDIA_PORT_RANGE, MediaPortAllocator } from './port-allocator.ts';
export type {
  MediaPacketKind,
  MediaPath,
  MediaProtection,
  MediaRoute,
  ReceivedMediaPacket,
} from './media-path.ts';
// SRTP around a path built elsewhere (ICE); LatchingMediaPath takes the protection itself.
export { ProtectedMediaPath } from './protected-media-path.ts';
export type {
  LatchState,
  LatchingMediaPathOptions,
  LatchingMediaPathStats,
  LatchingPort,
  LatchingRemote,
  RelatchPolicy,
} from './latching-media-path.ts';
export { DEFAULT_RELATCH_POLICY, LatchingMediaPath } from './latching-media-path.ts';
// The ICE agent (ice/): see ice/index.ts.
export * from './ice/index.ts';
