import { describe, expect, it } from 'vitest';
import { detectSipAlg } from '../../../src-main/nat/index.ts';
import type { SipAlgObservation } from '../../../src-main/nat/index.ts';

const sent: SipAlgObservation['sent'] = {
  via: { host: '10.0.0.2', port: 5062 },
  contact: { host: '10.0.0.2', port: 5062 },
};
const local = ['127.0.0.1', '10.0.0.2'];
const publicAddress = { address: '198.51.100.1', port: 5062 };

describe('SIP ALG detection', () => {
  it('is unknown without an answer to compare with', () => {
    expect(detectSipAlg({ sent, echoed: {}, localAddresses: local })).toEqual({
      status: 'unknown',
      evidence: [],
    });
  });

  it('finds nothing when the registrar echoed what we sent (received/rport added, as RFC 3581 says)', () => {
    const r = detectSipAlg({
      sent,
      echoed: {
        via: { host: '10.0.0.2', port: 5062, received: '198.51.100.1', rport: 5062 },
        contacts: [{ host: '10.0.0.2', port: 5062 }],
      },
      localAddresses: local,
      publicAddress,
    });
    expect(r).toEqual({ status: 'not-detected', evidence: [] });
  });

  it('flags a Via sent-by that was rewritten on the way out', () => {
    const r = detectSipAlg({
      sent,
      echoed: {
        via: { host: '198.51.100.1', port: 5062, received: '198.51.100.1', rport: 5062 },
        contacts: [{ host: '198.51.100.1', port: 5062 }],
      },
      localAddresses: local,
      publicAddress,
    });
    expect(r.status).toBe('detected');
    expect(r.evidence.map((e) => e.kind)).toEqual(['via-rewritten', 'contact-rewritten']);
  });

  it('flags a response whose received parameter was translated back to our private address', () => {
    const r = detectSipAlg({
      sent,
      echoed: { via: { host: '10.0.0.2', port: 5062, received: '10.0.0.2', rport: 5062 } },
      localAddresses: local,
      publicAddress,
    });
    expect(r).toEqual({
      status: 'detected',
      evidence: [{ kind: 'received-is-private', received: '10.0.0.2' }],
    });
  });

  it('does not blame an ALG for a registrar that stored our public address as Contact (fix_nated_contact)', () => {
    const r = detectSipAlg({
      sent,
      echoed: {
        via: { host: '10.0.0.2', port: 5062, received: '198.51.100.1', rport: 40123 },
        contacts: [{ host: '198.51.100.1', port: 40123 }],
      },
      localAddresses: local,
      publicAddress,
    });
    expect(r.status).toBe('not-detected');
  });

  it('flags a Contact rewritten to an address that is neither ours nor our public one', () => {
    const r = detectSipAlg({
      sent,
      echoed: {
        via: { host: '10.0.0.2', port: 5062, received: '198.51.100.1', rport: 5062 },
        contacts: [{ host: '203.0.113.99', port: 1024 }],
      },
      localAddresses: local,
      publicAddress,
    });
    expect(r.evidence).toEqual([
      { kind: 'contact-rewritten', sent: sent.contact, echoed: { host: '203.0.113.99', port: 1024 } },
    ]);
  });

  it('finds our contact among several bindings, and compares SDP when an echo of it is available', () => {
    const r = detectSipAlg({
      sent: { ...sent, sdp: { address: '10.0.0.2', port: 4000 } },
      echoed: {
        contacts: [
          { host: '192.0.2.50', port: 5060 },
          { host: '10.0.0.2', port: undefined },
        ],
        sdp: { address: '198.51.100.1', port: 4000 },
      },
      localAddresses: local,
      publicAddress,
    });
    expect(r.evidence.map((e) => e.kind)).toEqual(['sdp-rewritten']);
    const sameDefaultPort = detectSipAlg(
      {
        sent: { via: { host: 'a.example', port: undefined }, contact: { host: 'a.example', port: 5060 } },
        echoed: { via: { host: 'A.example', port: 5060 } },
        localAddresses: local,
      },
      5060,
    );
    expect(sameDefaultPort.status).toBe('not-detected');
  });
});
