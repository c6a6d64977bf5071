import { describe, expect, it } from 'vitest';
import { NO_PARAMS } from '../../../../src-main/sip/syntax/index.ts';
import type { Via } from '../../../../src-main/sip/syntax/index.ts';
import {
  receivedVia,
  reflexiveAddress,
  responseDestination,
  stampVia,
} from '../../../../src-main/sip/transport/index.ts';
import { simpleRequest } from './support.ts';

const base: Via = {
  protocol: 'SIP',
  version: '2.0',
  transport: 'UDP',
  host: '192.0.2.1',
  port: 5062,
  branch: 'z9hG4bK-v',
  params: NO_PARAMS,
};

describe('receivedVia (RFC 3261 §18.2.1, RFC 3581 §4)', () => {
  it('adds nothing when sent-by is the source address and rport was not asked for', () => {
    expect(receivedVia(base, { address: '192.0.2.1', port: 5062, family: 4 })).toBeUndefined();
  });

  it('adds received when the source differs, or when sent-by is a name', () => {
    expect(receivedVia(base, { address: '198.51.100.9', port: 5062, family: 4 })?.received).toBe(
      '198.51.100.9',
    );
    expect(
      receivedVia({ ...base, host: 'pc.example.com' }, { address: '192.0.2.1', port: 5062, family: 4 })
        ?.received,
    ).toBe('192.0.2.1');
  });

  it('fills rport and adds received even when identical to sent-by', () => {
    const v = receivedVia({ ...base, rport: true }, { address: '192.0.2.1', port: 40000, family: 4 });
    expect(v?.received).toBe('192.0.2.1');
    expect(v?.rport).toBe(40000);
  });

  it('compares IPv6 sent-by in brackets with the bare source address', () => {
    expect(
      receivedVia({ ...base, host: '[2001:db8::1]' }, { address: '2001:db8::1', port: 5062, family: 6 }),
    ).toBeUndefined();
  });
});

describe('responseDestination (RFC 3261 §18.2.2, RFC 3581 §4)', () => {
  it('rport + received → received:rport', () => {
    expect(responseDestination({ ...base, received: '198.51.100.9', rport: 40000 })).toEqual({
      ok: true,
      to: { address: '198.51.100.9', port: 40000, family: 4 },
      rule: 'rport',
    });
  });

  it('maddr → maddr : sent-by port', () => {
    expect(responseDestination({ ...base, maddr: '239.1.1.1', received: '198.51.100.9' })).toEqual({
      ok: true,
      to: { address: '239.1.1.1', port: 5062, family: 4 },
      rule: 'maddr',
    });
  });

  it('received → received : sent-by port (5060 when absent)', () => {
    expect(responseDestination({ ...base, received: '198.51.100.9' })).toMatchObject({
      to: { address: '198.51.100.9', port: 5062 },
      rule: 'received',
    });
    const { port: _port, ...noPort } = base;
    expect(responseDestination({ ...noPort, received: '198.51.100.9' })).toMatchObject({
      to: { port: 5060 },
    });
  });

  it('sent-by otherwise; a name without received cannot be answered', () => {
    expect(responseDestination(base)).toMatchObject({
      to: { address: '192.0.2.1', port: 5062 },
      rule: 'sent-by',
    });
    expect(responseDestination({ ...base, host: 'pc.example.com' }).ok).toBe(false);
  });

  it('IPv6 received and sent-by', () => {
    expect(
      responseDestination({ ...base, host: '[2001:db8::1]', received: '2001:db8::2', rport: 6000 }),
    ).toMatchObject({
      to: { address: '2001:db8::2', port: 6000, family: 6 },
    });
  });
});

describe('stampVia and reflexiveAddress', () => {
  it('rewrites sent-by and transport, keeps the branch, asks for rport', () => {
    const request = simpleRequest('OPTIONS', 'sip:b@example.com');
    const branch = request.topVia.branch;
    stampVia(request, 'tcp', { address: '2001:db8::5', port: 5070, family: 6 });
    expect(request.headers.get('Via')).toBe(`SIP/2.0/TCP [2001:db8::5]:5070;branch=${branch};rport`);
  });

  it('reports received:rport of a response Via, nothing without a numeric rport', () => {
    expect(reflexiveAddress({ ...base, received: '198.51.100.9', rport: 20000 })).toEqual({
      address: '198.51.100.9',
      port: 20000,
      family: 4,
    });
    expect(reflexiveAddress({ ...base, received: '198.51.100.9' })).toBeUndefined();
    expect(reflexiveAddress({ ...base, rport: true })).toBeUndefined();
  });
});
