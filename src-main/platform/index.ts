/** The platform layer's public surface: the ports, their Node implementations and the test doubles. */
export type {
  Clock,
  Timer,
  IpFamily,
  SocketAddress,
  DatagramBindOptions,
  DatagramSocket,
  TlsClientOptions,
  StreamConnectOptions,
  TlsServerOptions,
  StreamListenOptions,
  StreamConnection,
  StreamServer,
  NetworkInterfaceAddress,
  Network,
  NaptrRecord,
  SrvRecord,
  Resolver,
} from './ports.ts';
export { formatAddress, sameAddress, errorCode } from './ports.ts';
export { parseIp } from './ip-address.ts';
export { describeTlsCertificateProblem, tlsCertificateProblemOf } from './tls-certificate.ts';
export type { TlsCertificateProblem } from './tls-certificate.ts';
export type { ParsedIp } from './ip-address.ts';

export { NodeClock, MAX_NATIVE_TIMER_DELAY_MS } from './node-clock.ts';
export type { NodeClockOptions } from './node-clock.ts';
export { FakeClock, DEFAULT_FAKE_WALL_START_MS } from './fake-clock.ts';
export type { FakeClockOptions } from './fake-clock.ts';

export { NodeNetwork } from './node-network.ts';

export { NodeResolver } from './node-resolver.ts';
export type { NodeResolverOptions } from './node-resolver.ts';
export { FakeResolver } from './fake-resolver.ts';
export type {
  DnsRecordType,
  DnsRecordsByType,
  DnsQuery,
  DnsError,
  FakeResolverOptions,
  FakeAnswerOptions,
} from './fake-resolver.ts';

export { dataDirFor, defaultDataDir } from './paths.ts';
export type { DataDirEnvironment } from './paths.ts';

export { MemoryNetwork } from './memory-network.ts';
export type {
  LinkConditions,
  DropReason,
  PacketRecord,
  PacketPredicate,
  LinkEnd,
  MemoryNetworkOptions,
  AddNatOptions,
} from './memory-network.ts';
export { MemoryHost } from './memory-host.ts';
export type { MemoryHostOptions, MemoryTlsServerOptions, MemoryStreamListenOptions } from './memory-host.ts';
export { MemoryNat } from './memory-nat.ts';
export type { NatBehavior, TransportProtocol, MemoryNatOptions, NatMappingInfo } from './memory-nat.ts';
export { MemoryStreamConnection, MemoryStreamServer } from './memory-stream.ts';

export { NetworkMonitor } from './network-monitor.ts';
export type { NetworkChange, NetworkMonitorOptions } from './network-monitor.ts';
