import { describe, expect, it } from 'vitest';
import {
  routeRequest,
  routeRequestWithOutboundProxy,
  targetOf,
} from '../../../../src-main/sip/resolve/index.ts';
import type { RequestRouting, RoutableUri } from '../../../../src-main/sip/resolve/index.ts';

/** A caller's richer URI: routing must hand back the very same objects. */
interface Uri extends RoutableUri {
  readonly text: string;
}

function uri(text: string, fields: Partial<RoutableUri> = {}): Uri {
  const host = /@?([^@;:>]+)(?::\d+)?(?:;|$)/.exec(text.replace(/^sips?:/, ''))?.[1] ?? text;
  return { text, host, secure: text.startsWith('sips:'), lr: text.includes(';lr'), ...fields };
}

function shape(r: RequestRouting<Uri>): {
  requestUri: string;
  routes: string[];
  nextHop: string;
  strict: boolean;
} {
  return {
    requestUri: r.requestUri.text,
    routes: r.routes.map((u) => u.text),
    nextHop: r.nextHop.text,
    strict: r.strictRouting,
  };
}

const remote = uri('sip:user@remoteua');

describe('routeRequest (RFC 3261 §12.2.1.1, §8.1.2)', () => {
  it('empty route set: Request-URI is the remote target, no Route, resolve the remote target', () => {
    const r = routeRequest(remote, []);
    expect(shape(r)).toEqual({
      requestUri: 'sip:user@remoteua',
      routes: [],
      nextHop: 'sip:user@remoteua',
      strict: false,
    });
    expect(r.target).toEqual({ host: 'remoteua', secure: false });
  });

  it('loose first route: Request-URI stays, all routes go in Route, resolve the first route', () => {
    const p1 = uri('sip:p1.example.com;lr', { port: 5070, transport: 'tcp' });
    const p2 = uri('sip:p2.example.com;lr');
    const r = routeRequest(remote, [p1, p2]);
    expect(shape(r)).toEqual({
      requestUri: 'sip:user@remoteua',
      routes: ['sip:p1.example.com;lr', 'sip:p2.example.com;lr'],
      nextHop: 'sip:p1.example.com;lr',
      strict: false,
    });
    expect(r.nextHop).toBe(p1);
    expect(r.target).toEqual({ host: 'p1.example.com', port: 5070, transport: 'tcp', secure: false });
  });

  it('strict first route: the RFC 3261 §12.2.1.1 example', () => {
    // "METHOD sip:proxy1 / Route: <sip:proxy2>,<sip:proxy3;lr>,<sip:proxy4>,<sip:user@remoteua>"
    const routeSet = [uri('sip:proxy1'), uri('sip:proxy2'), uri('sip:proxy3;lr'), uri('sip:proxy4')];
    expect(shape(routeRequest(remote, routeSet))).toEqual({
      requestUri: 'sip:proxy1',
      routes: ['sip:proxy2', 'sip:proxy3;lr', 'sip:proxy4', 'sip:user@remoteua'],
      nextHop: 'sip:proxy1',
      strict: true,
    });
  });

  it('a SIPS Request-URI makes the next hop resolve as SIPS (§8.1.2)', () => {
    const r = routeRequest(uri('sips:bob@biloxi.example.com'), [uri('sip:edge.example.com;lr')]);
    expect(r.target).toEqual({ host: 'edge.example.com', secure: true });
  });

  it('targetOf carries port, transport and maddr', () => {
    expect(targetOf(uri('sip:x', { port: 1, transport: 'udp', maddr: '192.0.2.1' }))).toEqual({
      host: 'x',
      port: 1,
      transport: 'udp',
      maddr: '192.0.2.1',
      secure: false,
    });
  });
});

describe('routeRequestWithOutboundProxy', () => {
  const looseProxy = uri('sip:outbound.example.com;lr', { transport: 'tcp' });
  const plainProxy = uri('sip:outbound.example.com');
  const dialogRoute = [uri('sip:rr.example.net;lr')];

  it('no proxy configured: plain routing', () => {
    expect(shape(routeRequestWithOutboundProxy({}, remote, dialogRoute)).nextHop).toBe(
      'sip:rr.example.net;lr',
    );
  });

  it('a loose-routing proxy becomes a pre-existing route set of one URI', () => {
    const r = routeRequestWithOutboundProxy({ outboundProxy: looseProxy }, remote, []);
    expect(shape(r)).toEqual({
      requestUri: 'sip:user@remoteua',
      routes: ['sip:outbound.example.com;lr'],
      nextHop: 'sip:outbound.example.com;lr',
      strict: false,
    });
    expect(r.target).toEqual({ host: 'outbound.example.com', transport: 'tcp', secure: false });
  });

  it('a proxy without lr is resolved instead of the target, with no Route and the Request-URI kept', () => {
    expect(shape(routeRequestWithOutboundProxy({ outboundProxy: plainProxy }, remote, []))).toEqual({
      requestUri: 'sip:user@remoteua',
      routes: [],
      nextHop: 'sip:outbound.example.com',
      strict: false,
    });
  });

  it('requests with a route set follow it, unless configured to always use the proxy', () => {
    expect(
      shape(routeRequestWithOutboundProxy({ outboundProxy: looseProxy }, remote, dialogRoute)).nextHop,
    ).toBe('sip:rr.example.net;lr');
    const always = routeRequestWithOutboundProxy(
      { outboundProxy: looseProxy, outboundProxyForRoutedRequests: true },
      remote,
      dialogRoute,
    );
    expect(shape(always)).toEqual({
      requestUri: 'sip:user@remoteua',
      routes: ['sip:rr.example.net;lr'],
      nextHop: 'sip:outbound.example.com;lr',
      strict: false,
    });
  });

  it('a SIPS Request-URI forces TLS towards the proxy', () => {
    expect(
      routeRequestWithOutboundProxy({ outboundProxy: plainProxy }, uri('sips:bob@biloxi.example.com'), [])
        .target,
    ).toEqual({
      host: 'outbound.example.com',
      secure: true,
    });
  });
});
