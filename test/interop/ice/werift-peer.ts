/**
 * Our IceAgent and werift's ICE `Connection` on loopback, for the ICE interop tests and the connect-time
 * bench. Our side runs on the real platform (NodeClock, NodeNetwork, a MediaSocket on 127.0.0.1);
 * werift gathers only 127.0.0.1 host candidates. Candidates and credentials cross in SDP form, through
 * call/ice-sdp.ts and werift's own `toSdp`/`fromSdp`, as they would in a call.
 */
import { Candidate, Connection } from 'werift';
import type { IceOptions } from 'werift';
import { NodeClock, NodeNetwork } from '../../../src-main/platform/index.ts';
import { IceAgent, IceMediaPath, MediaSocket } from '../../../src-main/media/transport/index.ts';
import type {
  IceAgentOptions,
  IceCandidate,
  IceRemoteDescription,
} from '../../../src-main/media/transport/index.ts';
import { formatCandidate, readCandidate } from '../../../src-main/sdp/index.ts';
import { fromSdpCandidate, toSdpCandidate } from '../../../src-main/call/index.ts';

export interface OurAgent {
  agent: IceAgent;
  socket: MediaSocket;
  logs: string[];
  path(): IceMediaPath;
  close(): Promise<void>;
}

export async function ourAgent(
  options: Partial<IceAgentOptions> & Pick<IceAgentOptions, 'role'>,
): Promise<OurAgent> {
  const network = new NodeNetwork();
  const clock = new NodeClock();
  const socket = new MediaSocket(
    await network.bindDatagram({ family: 4, address: '127.0.0.1', port: 0 }),
    'rtp',
  );
  const logs: string[] = [];
  const agent = new IceAgent({
    clock,
    network,
    rtpSocket: socket,
    log: (level, message) => logs.push(`${level} ${message}`),
    ...options,
  });
  let path: IceMediaPath | undefined;
  return {
    agent,
    socket,
    logs,
    path: () => (path ??= new IceMediaPath(agent)),
    async close() {
      path?.dispose();
      await agent.close();
      socket.close();
    },
  };
}

export function weriftAgent(controlling: boolean, options: Partial<IceOptions> = {}): Connection {
  return new Connection(controlling, {
    useIpv4: false,
    useIpv6: false,
    additionalHostAddresses: ['127.0.0.1'],
    ...options,
  });
}

/** werift's gathered candidates as our SDP reading takes them. */
export function weriftCandidates(connection: Connection): IceCandidate[] {
  const out: IceCandidate[] = [];
  for (const c of connection.localCandidates) {
    const reading = readCandidate(c.toSdp());
    const candidate = reading.ok ? fromSdpCandidate(reading.value) : undefined;
    if (candidate !== undefined) out.push(candidate);
  }
  return out;
}

export function weriftDescription(
  connection: Connection,
  overrides: Partial<IceRemoteDescription> = {},
): IceRemoteDescription {
  return {
    ufrag: connection.localUsername,
    pwd: connection.localPassword,
    lite: false,
    candidates: weriftCandidates(connection),
    endOfCandidates: true,
    ...overrides,
  };
}

/** Give werift our credentials and candidates (as `a=candidate` values), then end-of-candidates. */
export async function describeOursToWerift(
  connection: Connection,
  agent: IceAgent,
  password = agent.credentials.pwd,
): Promise<void> {
  connection.setRemoteParams({ iceLite: false, usernameFragment: agent.credentials.ufrag, password });
  for (const c of agent.localCandidates)
    await connection.addRemoteCandidate(Candidate.fromSdp(formatCandidate(toSdpCandidate(c))));
  await connection.addRemoteCandidate(undefined);
}

export function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      if (check()) {
        clearInterval(poll);
        resolve();
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(poll);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }
    }, 2);
  });
}

/** An RTP-looking packet (version 2, PT 0) with a sequence number to recognise it by. */
export function rtp(seq: number): Buffer {
  const b = Buffer.alloc(172);
  b[0] = 0x80;
  b[1] = 0;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(seq * 160, 4);
  b.writeUInt32BE(0xcafe, 8);
  return b;
}

export interface ConnectTiming {
  /** From the moment both sides have each other's description to our agent's `connected`. */
  oursMs: number;
  /** Same, to werift's connect() resolving. */
  weriftMs: number;
}

/**
 * Gather on both sides, exchange descriptions, and connect. Our role is `ours.agent.role`; werift takes
 * the other one.
 */
export async function connectWithWerift(
  ours: OurAgent,
  werift: Connection,
  timeoutMs = 20_000,
): Promise<ConnectTiming> {
  await Promise.all([ours.agent.gather(), werift.gatherCandidates()]);
  await describeOursToWerift(werift, ours.agent);
  const started = performance.now();
  ours.agent.setRemote(weriftDescription(werift));
  let weriftMs = NaN;
  const weriftDone = werift.connect().then(() => {
    weriftMs = performance.now() - started;
  });
  let oursMs = NaN;
  await waitFor(
    () => {
      if (Number.isNaN(oursMs) && ours.agent.state === 'connected') oursMs = performance.now() - started;
      return ours.agent.state === 'connected' || ours.agent.state === 'failed';
    },
    timeoutMs,
    'our agent to connect',
  );
  if (ours.agent.state !== 'connected')
    throw new Error(`our agent ${ours.agent.state}:\n${ours.logs.join('\n')}`);
  await Promise.race([
    weriftDone,
    new Promise((_, reject) => setTimeout(() => reject(new Error('werift did not connect')), timeoutMs)),
  ]);
  return { oursMs, weriftMs };
}
