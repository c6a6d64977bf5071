/**
 * The interop/e2e test harness: real peers (Kamailio, coturn, baresip) and reference tools started by
 * the tests themselves, on loopback or inside network namespaces the tests create — and always cleaned
 * up: processes are stopped by PID (process group), temporary folders, port reservations and namespaces
 * are removed, and whatever a crashed run left behind is removed by the next one (`cleanupStaleRuns`).
 *
 * Typical use (vitest project `interop`):
 *
 *   const kamailio = await startKamailio({ users: [{ user: 'alice', password: 'a' }, { user: 'bob', password: 'b' }] });
 *   const bob = await startBaresip({ aor: 'sip:bob@lab.test', password: 'b', proxy: kamailio.uri('udp'),
 *                                    answerMode: 'auto', record: true });
 *   await bob.waitFor('REGISTER_OK');
 *   …drive our phone (e.g. `ip netns exec NS node bin/softphone.js …` or in-process)…
 *   expect(analyseWav(bob.recordings().received[0], { hz: 1000 }).tonePresentRatio).toBeGreaterThanOrEqual(0.8);
 *   await bob.dispose(); await kamailio.dispose();
 *
 * NAT cases: `createNatLab({ nats: [{ name: 'cone', kind: 'port-restricted' }, { name: 'sym', kind: 'symmetric' }] })`,
 * servers in `lab.publicNs` on `lab.serverAddresses` (Kamailio on 5060, coturn on 3478/3479 with
 * `altAddress` for RFC 5780), clients in `lab.nat('cone').homeNs`; our CLI runs there with
 * `lab.spawn(home, 'phone', process.execPath, ['bin/softphone.js', …])` (use `process.execPath`: the
 * machine's default node is too old), and `waitForLog(/…/)` reads its output.
 *
 * Bindings: `kamailio.bindings('sip:alice@lab.test')` runs `kamcmd -s unix:<dir>/ctl.sock ul.lookup
 * location alice` (usrloc keeps AoRs without domain) and returns parsed `Binding`s (contact, expires,
 * received — set when the REGISTER came through NAT —, socket, tcpConnectionId, user agent, instance…);
 * `allBindings()` uses `ul.dump`; `rpc('any.command', …args)` gives the raw kamcmd result.
 *
 * Peer behaviour worth knowing (measured with Debian 12's packages):
 * - baresip 1.0: events before the ctrl_tcp connection are lost (the account is therefore added with
 *   `uanew` after connecting); with answermode=auto there is no CALL_INCOMING, only CALL_ESTABLISHED
 *   (direction 'incoming'); a cancelled incoming call closes with "Connection reset by peer"; it honours
 *   423 Min-Expires; SIGTERM un-REGISTERs, then exits; the first occurrence of a config key wins.
 * - sndfile names its files `dump-<YYYY-MM-DD-hh-mm-ss>-enc.wav` (sent) / `-dec.wav` (received), one pair
 *   per call, headers finalised when the call closes; recordings are 8 kHz mono for G.711.
 * - Kamailio: `save()` sends its own error replies (a script `sl_reply_error()` after it would add a
 *   500); with TLS it sends the `ca_list` CA in its chain; `kamcmd` exits 0 even on RPC errors.
 * - turnutils_uclient exits 0 when the allocation fails (parse "Cannot complete Allocation"), ~4–6 s per
 *   run; turnutils_natdiscovery needs ~6 s behind a filtering NAT (it waits for blocked probes) and says
 *   "Endpoint Independent Mapping" even without NAT; stun 0.97 takes `host:port`.
 */

// processes, folders, ports
export {
  allocatePort,
  allocatePorts,
  releasePort,
  heldPorts,
  PORT_RANGE,
  type PortRequest,
} from './ports.ts';
export {
  spawnManaged,
  run,
  runChecked,
  tail,
  type ManagedProcess,
  type ProcessExit,
  type SpawnOptions,
  type RunResult,
} from './processes.ts';
export { makeWorkDir, cleanupStaleRuns, listNetns, RUN_ROOT, NETNS_PREFIX, type WorkDir } from './workdir.ts';

// peers
export {
  startKamailio,
  kamailioConfig,
  aorUser,
  type KamailioOptions,
  type KamailioServer,
  type SipUser,
} from './kamailio.ts';
export {
  kamcmd,
  parseKamcmdOutput,
  bindingsOfAor,
  bindingsOfDump,
  type Binding,
  type RpcResult,
  type RpcValue,
  type RpcStruct,
} from './kamailio-rpc.ts';
export { startCoturn, type CoturnOptions, type CoturnServer, type TurnUser } from './coturn.ts';
export {
  startBaresip,
  accountLine,
  baresipConfig,
  readWavFormat,
  type BaresipOptions,
  type BaresipUa,
  type BaresipEvent,
  type BaresipAudio,
  type BaresipResponse,
  type WaitOptions,
  type Recordings,
} from './baresip.ts';
export { encodeNetstring, NetstringDecoder } from './netstring.ts';
export {
  makeTestCa,
  opensslTlsProbe,
  type TestCa,
  type PemFile,
  type CertificateRequest,
  type IssuedCertificate,
  type TlsProbeResult,
} from './tls-ca.ts';
export { sipProbe, type SipProbeRequest, type SipProbeResponse } from './sip-probe.ts';

// NAT lab and reference clients
export {
  createNatLab,
  routerRules,
  measureUdpLoss,
  type NatLab,
  type NatLabOptions,
  type NatSpec,
  type NatKind,
  type NatInfo,
  type PublicHostInfo,
  type LossRule,
  type UdpLossResult,
} from './netns.ts';
export {
  referenceStunClient,
  referenceNatDiscovery,
  referenceStunBinding,
  referenceTurnAllocation,
  parseStunClientOutput,
  parseNatDiscoveryOutput,
  CLASSIC_NAT_TYPE,
  type StunClientResult,
  type StunClientVerdict,
  type NatDiscoveryResult,
  type MappingBehavior,
  type FilteringBehavior,
  type StunBindingResult,
  type TurnAllocationResult,
  type TurnAllocationOptions,
  type ServerAddress,
} from './reference-tools.ts';

// audio
export {
  generateToneWav,
  generateSilenceWav,
  readWav,
  analyseWav,
  analyseAudio,
  rms,
  dbfs,
  goertzelPower,
  dominantFrequency,
  toneEnergyRatio,
  powerSpectrum,
  fileSize,
  fileMagic,
  type ToneFile,
  type WavAudio,
  type AnalysisOptions,
  type AudioAnalysis,
  type SecondAnalysis,
} from './audio.ts';
