/**
 * Smoke test on the real network stack: two SipUserAgents on 127.0.0.1 (NodeNetwork, NodeClock) exchange
 * OPTIONS over UDP and over TCP. Loopback only; no timing is asserted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NodeClock, NodeNetwork, NodeResolver } from '../../../../src-main/platform/index.ts';
import { NO_PARAMS, parseUri } from '../../../../src-main/sip/syntax/index.ts';
import type { Uri } from '../../../../src-main/sip/syntax/index.ts';
import { SipUserAgent } from '../../../../src-main/sip/ua/index.ts';

function uri(text: string): Uri {
  const r = parseUri(text);
  if (!r.ok) throw new Error(r.reason);
  return r.uri;
}

const agents: SipUserAgent[] = [];

afterEach(() => {
  for (const a of agents.splice(0)) a.close();
});

async function agent(): Promise<SipUserAgent> {
  const ua = new SipUserAgent({
    clock: new NodeClock(),
    network: new NodeNetwork(),
    resolver: new NodeResolver(),
    version: 'test',
    transport: {
      udp: { families: [4], address: { 4: '127.0.0.1' } },
      tcpListener: { families: [4], address: { 4: '127.0.0.1' } },
    },
  });
  agents.push(ua);
  await ua.start();
  return ua;
}

describe('two user agents on the real loopback network', () => {
  it.each(['udp', 'tcp'] as const)('exchange OPTIONS over %s', async (transport) => {
    const a = await agent();
    const b = await agent();
    const target = b.transport.listening().find((l) => l.transport === transport);
    if (target === undefined) throw new Error(`b has no ${transport} socket`);
    const to = uri(`sip:b@127.0.0.1:${target.local.port}${transport === 'tcp' ? ';transport=tcp' : ''}`);
    const out = a.sendRequest(
      a.createRequest({
        method: 'OPTIONS',
        uri: to,
        from: { uri: uri('sip:a@127.0.0.1'), params: NO_PARAMS },
        to: { uri: to, params: NO_PARAMS },
      }),
      { contact: { user: 'a' } },
    );
    const outcome = await out.result;
    if (outcome.kind !== 'final') throw new Error(`OPTIONS ended with ${outcome.kind}`);
    expect(outcome.response.status).toBe(200);
    expect(outcome.response.headers.get('Server')).toBe('Softphone/test');
    expect(outcome.response.headers.get('Allow')).toBe('ACK, CANCEL, OPTIONS');
    expect(out.flow?.transport).toBe(transport);
    expect(outcome.response.topVia.received).toBe('127.0.0.1');
  });
});
