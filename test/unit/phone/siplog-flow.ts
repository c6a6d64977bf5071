/**
 * Test support for the SIP log: a call-like exchange built by hand with sip/syntax, as the transport tap
 * would report it — we (192.0.2.10:5060) call 1001 through a proxy (203.0.113.5:5060):
 *
 *   INVITE (SDP) →, INVITE again after 500 ms (retransmission) →, ← 100, ← 180, ← 180 (retransmission),
 *   ← 200 (SDP), ACK →, then the callee's BYE arrives straight from 198.51.100.7:5060, ← BYE, 200 →
 */
import { Buffer } from 'node:buffer';
import type { SocketAddress } from '../../../src-main/platform/index.ts';
import {
  NO_PARAMS,
  createRequest,
  createResponse,
  parseUri,
  serialize,
} from '../../../src-main/sip/syntax/index.ts';
import type { SipMessage, Uri } from '../../../src-main/sip/syntax/index.ts';
import type { SipWireMessage } from '../../../src-main/sip/transport/index.ts';

export const US: SocketAddress = { address: '192.0.2.10', port: 5060, family: 4 };
export const PROXY: SocketAddress = { address: '203.0.113.5', port: 5060, family: 4 };
export const CALLEE: SocketAddress = { address: '198.51.100.7', port: 5060, family: 4 };

export const SDP =
  'v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';

export function uri(text: string): Uri {
  const r = parseUri(text);
  if (!r.ok) throw new Error(r.reason);
  return r.uri;
}

export function wire(
  direction: 'in' | 'out',
  message: SipMessage | Uint8Array,
  remote: SocketAddress = PROXY,
  transport: 'udp' | 'tcp' | 'tls' = 'udp',
): SipWireMessage {
  return {
    direction,
    transport,
    local: US,
    remote,
    bytes: message instanceof Uint8Array ? message : serialize(message),
  };
}

export interface TimedWire {
  /** ms after the first message */
  readonly after: number;
  readonly wire: SipWireMessage;
}

/** The call flow above (Call-ID `callId`), with the time each message crosses the wire. */
export function callFlow(callId = 'call-1@192.0.2.10'): TimedWire[] {
  const via = (branch: string) => ({
    protocol: 'SIP',
    version: '2.0',
    transport: 'UDP',
    host: '192.0.2.10',
    port: 5060,
    branch,
    params: NO_PARAMS,
  });
  const alice = { uri: uri('sip:1000@lab.test'), tag: 'a1', params: NO_PARAMS };
  const bob = { uri: uri('sip:1001@lab.test'), params: NO_PARAMS };
  const invite = createRequest({
    method: 'INVITE',
    uri: uri('sip:1001@lab.test'),
    from: alice,
    to: bob,
    callId,
    cseq: 1,
    via: via('z9hG4bK-inv1'),
    contact: [{ kind: 'address', uri: uri('sip:1000@192.0.2.10:5060'), params: NO_PARAMS }],
    body: SDP,
    contentType: 'application/sdp',
  });
  const ringing = createResponse(invite, 180, undefined, { toTag: 'b7' });
  const ok = createResponse(invite, 200, undefined, {
    toTag: 'b7',
    body: SDP.replace(/192\.0\.2\.10/g, '198.51.100.7'),
    contentType: 'application/sdp',
  });
  const bobTagged = { ...bob, tag: 'b7' };
  const ack = createRequest({
    method: 'ACK',
    uri: uri('sip:1001@198.51.100.7'),
    from: alice,
    to: bobTagged,
    callId,
    cseq: 1,
    via: via('z9hG4bK-ack1'),
  });
  const bye = createRequest({
    method: 'BYE',
    uri: uri('sip:1000@192.0.2.10:5060'),
    from: bobTagged,
    to: alice,
    callId,
    cseq: 7,
    via: { ...via('z9hG4bK-bye1'), host: '198.51.100.7' },
  });
  return [
    { after: 0, wire: wire('out', invite) },
    { after: 500, wire: wire('out', invite) },
    { after: 520, wire: wire('in', createResponse(invite, 100)) },
    { after: 700, wire: wire('in', ringing) },
    { after: 1700, wire: wire('in', ringing) },
    { after: 4000, wire: wire('in', ok) },
    { after: 4010, wire: wire('out', ack) },
    { after: 9000, wire: wire('in', bye, CALLEE) },
    { after: 9001, wire: wire('out', createResponse(bye, 200), CALLEE) },
  ];
}

/** A REGISTER (Call-ID `callId`) and its 200, with an Authorization carrying `response`. */
export function registration(
  callId: string,
  response = '0123456789abcdef0123456789abcdef',
  user = '1000',
): SipWireMessage[] {
  const aor = uri(`sip:${user}@lab.test`);
  const register = createRequest({
    method: 'REGISTER',
    uri: uri('sip:lab.test'),
    from: { uri: aor, tag: 'r1', params: NO_PARAMS },
    to: { uri: aor, params: NO_PARAMS },
    callId,
    cseq: 2,
    via: {
      protocol: 'SIP',
      version: '2.0',
      transport: 'UDP',
      host: '192.0.2.10',
      port: 5060,
      branch: `z9hG4bK-${callId}`,
      params: NO_PARAMS,
    },
    headers: [
      [
        'Authorization',
        `Digest username="${user}", realm="lab.test", nonce="n1", uri="sip:lab.test", response="${response}"`,
      ],
    ],
  });
  return [wire('out', register), wire('in', createResponse(register, 200, undefined, { toTag: 'z' }))];
}

export function bytesOf(text: string): Buffer {
  return Buffer.from(text);
}
