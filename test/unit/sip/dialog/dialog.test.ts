import { describe, expect, it } from 'vitest';
import { Buffer } from 'node:buffer';
import { Dialog, DialogTable } from '../../../../src-main/sip/dialog/index.ts';
import { routeDialogRequest } from '../../../../src-main/sip/ua/index.ts';
import { formatUri, parseMessage } from '../../../../src-main/sip/syntax/index.ts';
import type { SipRequest, SipResponse } from '../../../../src-main/sip/syntax/index.ts';

function msg(text: string): SipRequest | SipResponse {
  const r = parseMessage(Buffer.from(text.replace(/\n/g, '\r\n')));
  if (!r.ok) throw new Error(r.error.reason);
  return r.message;
}

function req(text: string): SipRequest {
  const m = msg(text);
  if (m.kind !== 'request') throw new Error('not a request');
  return m;
}

function res(text: string): SipResponse {
  const m = msg(text);
  if (m.kind !== 'response') throw new Error('not a response');
  return m;
}

// RFC 3665 §3.2-style INVITE through two record-routing proxies.
const INVITE = req(`INVITE sip:bob@biloxi.example.com SIP/2.0
Via: SIP/2.0/TLS client.atlanta.example.com:5061;branch=z9hG4bK74bf9
Max-Forwards: 70
From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl
To: Bob <sip:bob@biloxi.example.com>
Call-ID: 3848276298220188511@atlanta.example.com
CSeq: 1 INVITE
Contact: <sip:alice@client.atlanta.example.com;transport=tls>
Content-Length: 0

`);

function ringing(tag: string, contact = 'sip:bob@client.biloxi.example.com'): SipResponse {
  return res(`SIP/2.0 180 Ringing
Via: SIP/2.0/TLS client.atlanta.example.com:5061;branch=z9hG4bK74bf9;received=192.0.2.101
Record-Route: <sip:ss2.biloxi.example.com;lr>
Record-Route: <sip:ss1.atlanta.example.com;lr>
From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl
To: Bob <sip:bob@biloxi.example.com>;tag=${tag}
Call-ID: 3848276298220188511@atlanta.example.com
CSeq: 1 INVITE
Contact: <${contact}>
Content-Length: 0

`);
}

const OK = res(`SIP/2.0 200 OK
Via: SIP/2.0/TLS client.atlanta.example.com:5061;branch=z9hG4bK74bf9;received=192.0.2.101
Record-Route: <sip:ss2.biloxi.example.com;lr>
From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl
To: Bob <sip:bob@biloxi.example.com>;tag=314159
Call-ID: 3848276298220188511@atlanta.example.com
CSeq: 1 INVITE
Contact: <sip:bob@client2.biloxi.example.com;transport=tls>
Content-Length: 0

`);

describe('Dialog, UAC side (RFC 3261 §12.1.2)', () => {
  it("an early dialog from a 1xx: route set = Record-Route reversed, remote target = Contact, local CSeq = the INVITE's", () => {
    const r = Dialog.fromUacResponse(INVITE, ringing('314159'), {
      router: routeDialogRequest,
      overTls: true,
    });
    if (!r.ok) throw new Error(r.reason);
    const d = r.dialog;
    expect(d.state).toBe('early');
    expect(d.role).toBe('uac');
    expect(d.id).toEqual({
      callId: '3848276298220188511@atlanta.example.com',
      localTag: '9fxced76sl',
      remoteTag: '314159',
    });
    expect(d.routeSet.map((r) => formatUri(r.uri))).toEqual([
      'sip:ss1.atlanta.example.com;lr',
      'sip:ss2.biloxi.example.com;lr',
    ]);
    expect(formatUri(d.remoteTarget)).toBe('sip:bob@client.biloxi.example.com');
    expect(d.localSeq).toBe(1);
    expect(d.remoteSeq).toBeUndefined();
    expect(d.secure).toBe(false); // TLS, but not a SIPS Request-URI
  });

  it('the 2xx confirms it and recomputes route set and remote target (§13.2.2.4)', () => {
    const r = Dialog.fromUacResponse(INVITE, ringing('314159'), {
      router: routeDialogRequest,
      overTls: true,
    });
    if (!r.ok) throw new Error(r.reason);
    const changes: string[] = [];
    r.dialog.onStateChange((c) => changes.push(`${c.from}→${c.to}`));
    expect(r.dialog.confirm(OK)).toEqual({ ok: true });
    expect(r.dialog.state).toBe('confirmed');
    expect(r.dialog.routeSet.map((x) => formatUri(x.uri))).toEqual(['sip:ss2.biloxi.example.com;lr']);
    expect(formatUri(r.dialog.remoteTarget)).toBe('sip:bob@client2.biloxi.example.com;transport=tls');
    expect(changes).toEqual(['early→confirmed']);
  });

  it('builds a BYE with loose routing: Request-URI = remote target, Route = route set, CSeq + 1', () => {
    const r = Dialog.fromUacResponse(INVITE, ringing('314159'), {
      router: routeDialogRequest,
      overTls: true,
    });
    if (!r.ok) throw new Error(r.reason);
    const { request, nextHop } = r.dialog.createRequest('BYE');
    expect(formatUri(request.uri)).toBe('sip:bob@client.biloxi.example.com');
    expect(request.headers.getAll('Route')).toEqual([
      '<sip:ss1.atlanta.example.com;lr>',
      '<sip:ss2.biloxi.example.com;lr>',
    ]);
    expect(formatUri(nextHop)).toBe('sip:ss1.atlanta.example.com;lr');
    expect(request.cseq).toEqual({ seq: 2, method: 'BYE' });
    expect(request.headers.get('From')).toBe('Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl');
    expect(request.headers.get('To')).toBe('Bob <sip:bob@biloxi.example.com>;tag=314159');
    expect(request.callId).toBe('3848276298220188511@atlanta.example.com');
    expect(request.maxForwards).toBe(70);
    expect(r.dialog.createRequest('INFO').request.cseq.seq).toBe(3);
  });

  it('builds with strict routing when the first route has no lr (§12.2.1.1)', () => {
    const strict = res(`SIP/2.0 200 OK
Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9
Record-Route: <sip:p2.example.com;lr>
Record-Route: <sip:p1.example.com;method=INVITE>
From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl
To: Bob <sip:bob@biloxi.example.com>;tag=2
Call-ID: 3848276298220188511@atlanta.example.com
CSeq: 1 INVITE
Contact: <sip:bob@192.0.2.4>
Content-Length: 0

`);
    const r = Dialog.fromUacResponse(INVITE, strict, { router: routeDialogRequest, overTls: false });
    if (!r.ok) throw new Error(r.reason);
    const { request, nextHop } = r.dialog.createRequest('BYE');
    // "place the first URI from the route set into the Request-URI, stripping any parameters that are not
    // allowed in a Request-URI" (method=), remainder + remote target into Route.
    expect(formatUri(request.uri)).toBe('sip:p1.example.com');
    expect(request.headers.getAll('Route')).toEqual(['<sip:p2.example.com;lr>', '<sip:bob@192.0.2.4>']);
    expect(formatUri(nextHop)).toBe('sip:p1.example.com');
  });

  it("builds the ACK for a 2xx with the INVITE's CSeq number and method ACK, without counting", () => {
    const r = Dialog.fromUacResponse(INVITE, OK, { router: routeDialogRequest, overTls: true });
    if (!r.ok) throw new Error(r.reason);
    expect(r.dialog.state).toBe('confirmed');
    const { request } = r.dialog.createAck(1);
    expect(request.cseq).toEqual({ seq: 1, method: 'ACK' });
    expect(r.dialog.localSeq).toBe(1);
    expect(() => r.dialog.createRequest('ACK')).toThrow();
  });

  it('replaces the remote target on a 2xx to a target refresh (§12.2.1.2), not on other methods', () => {
    const r = Dialog.fromUacResponse(INVITE, OK, { router: routeDialogRequest, overTls: true });
    if (!r.ok) throw new Error(r.reason);
    const info = res(`SIP/2.0 200 OK
Via: SIP/2.0/TLS client.atlanta.example.com:5061;branch=z9hG4bKx
From: <sip:alice@atlanta.example.com>;tag=9fxced76sl
To: <sip:bob@biloxi.example.com>;tag=314159
Call-ID: 3848276298220188511@atlanta.example.com
CSeq: 2 INFO
Contact: <sip:bob@elsewhere.example.com>
Content-Length: 0

`);
    r.dialog.receiveResponse(info);
    expect(formatUri(r.dialog.remoteTarget)).toBe('sip:bob@client2.biloxi.example.com;transport=tls');
    const update = res(`SIP/2.0 200 OK
Via: SIP/2.0/TLS client.atlanta.example.com:5061;branch=z9hG4bKy
From: <sip:alice@atlanta.example.com>;tag=9fxced76sl
To: <sip:bob@biloxi.example.com>;tag=314159
Call-ID: 3848276298220188511@atlanta.example.com
CSeq: 3 UPDATE
Contact: <sip:bob@moved.example.com>
Content-Length: 0

`);
    r.dialog.receiveResponse(update);
    expect(formatUri(r.dialog.remoteTarget)).toBe('sip:bob@moved.example.com');
  });

  it('refuses a 2xx without Contact, a response without To tag, and a 100', () => {
    const noContact = res(`SIP/2.0 200 OK
Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1
From: <sip:alice@atlanta.example.com>;tag=9fxced76sl
To: <sip:bob@biloxi.example.com>;tag=5
Call-ID: 3848276298220188511@atlanta.example.com
CSeq: 1 INVITE
Content-Length: 0

`);
    expect(Dialog.fromUacResponse(INVITE, noContact, { router: routeDialogRequest, overTls: false })).toEqual(
      { ok: false, reason: 'the 2xx has no Contact' },
    );
    const noTag = res(`SIP/2.0 180 Ringing
Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1
From: <sip:alice@atlanta.example.com>;tag=9fxced76sl
To: <sip:bob@biloxi.example.com>
Call-ID: 3848276298220188511@atlanta.example.com
CSeq: 1 INVITE
Content-Length: 0

`);
    expect(Dialog.fromUacResponse(INVITE, noTag, { router: routeDialogRequest, overTls: false }).ok).toBe(
      false,
    );
  });

  it('sets the secure flag for a SIPS Request-URI sent over TLS', () => {
    const sips = req(`INVITE sips:bob@biloxi.example.com SIP/2.0
Via: SIP/2.0/TLS client.atlanta.example.com:5061;branch=z9hG4bK74bf9
From: <sips:alice@atlanta.example.com>;tag=1
To: <sips:bob@biloxi.example.com>
Call-ID: s1
CSeq: 7 INVITE
Contact: <sips:alice@client.atlanta.example.com>
Content-Length: 0

`);
    const ok = res(`SIP/2.0 200 OK
Via: SIP/2.0/TLS client.atlanta.example.com:5061;branch=z9hG4bK74bf9
From: <sips:alice@atlanta.example.com>;tag=1
To: <sips:bob@biloxi.example.com>;tag=2
Call-ID: s1
CSeq: 7 INVITE
Contact: <sips:bob@client.biloxi.example.com>
Content-Length: 0

`);
    const over = Dialog.fromUacResponse(sips, ok, { router: routeDialogRequest, overTls: true });
    const notOver = Dialog.fromUacResponse(sips, ok, { router: routeDialogRequest, overTls: false });
    expect(over.ok && over.dialog.secure).toBe(true);
    expect(notOver.ok && notOver.dialog.secure).toBe(false);
  });
});

describe('Dialog, UAS side (RFC 3261 §12.1.1, §12.2.2)', () => {
  const incoming = req(`INVITE sip:bob@192.0.2.4 SIP/2.0
Via: SIP/2.0/UDP ss2.biloxi.example.com;branch=z9hG4bK-p2
Via: SIP/2.0/UDP client.atlanta.example.com;branch=z9hG4bK-c
Record-Route: <sip:ss2.biloxi.example.com;lr>
Record-Route: <sip:ss1.atlanta.example.com;lr>
From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl
To: Bob <sip:bob@biloxi.example.com>
Call-ID: uas-1
CSeq: 10 INVITE
Contact: <sip:alice@client.atlanta.example.com>
Content-Length: 0

`);

  function uas(): Dialog {
    const r = Dialog.fromUasRequest(incoming, 'bobtag', {
      router: routeDialogRequest,
      overTls: false,
      initialSeq: () => 500,
    });
    if (!r.ok) throw new Error(r.reason);
    return r.dialog;
  }

  function inDialog(method: string, seq: number, contact?: string): SipRequest {
    return req(`${method} sip:bob@192.0.2.4 SIP/2.0
Via: SIP/2.0/UDP ss2.biloxi.example.com;branch=z9hG4bK-${seq}
From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl
To: Bob <sip:bob@biloxi.example.com>;tag=bobtag
Call-ID: uas-1
CSeq: ${seq} ${method}
${contact === undefined ? '' : `Contact: ${contact}\n`}Content-Length: 0

`);
  }

  it('takes the route set in order, the remote target from Contact, the remote CSeq from the request', () => {
    const d = uas();
    expect(d.id).toEqual({ callId: 'uas-1', localTag: 'bobtag', remoteTag: '9fxced76sl' });
    expect(d.routeSet.map((r) => formatUri(r.uri))).toEqual([
      'sip:ss2.biloxi.example.com;lr',
      'sip:ss1.atlanta.example.com;lr',
    ]);
    expect(formatUri(d.remoteTarget)).toBe('sip:alice@client.atlanta.example.com');
    expect(d.remoteSeq).toBe(10);
    expect(d.localSeq).toBeUndefined();
    const bye = d.createRequest('BYE').request;
    expect(bye.cseq.seq).toBe(500); // the first local CSeq is chosen per §8.1.1.5 (injected here)
    expect(bye.headers.get('From')).toBe('Bob <sip:bob@biloxi.example.com>;tag=bobtag');
    expect(bye.headers.get('To')).toBe('Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl');
    expect(bye.headers.getAll('Route')).toEqual([
      '<sip:ss2.biloxi.example.com;lr>',
      '<sip:ss1.atlanta.example.com;lr>',
    ]);
  });

  it('rejects a request with a lower or repeated CSeq with 500 and accepts a higher one', () => {
    const d = uas();
    expect(d.receiveRequest(inDialog('INFO', 9))).toMatchObject({ ok: false, status: 500 });
    expect(d.receiveRequest(inDialog('INFO', 10))).toMatchObject({ ok: false, status: 500 });
    expect(d.receiveRequest(inDialog('INFO', 11))).toEqual({ ok: true });
    expect(d.remoteSeq).toBe(11);
    expect(d.receiveRequest(inDialog('ACK', 10))).toEqual({ ok: true });
  });

  it('applies a target refresh from a re-INVITE Contact; a malformed Contact is a 400', () => {
    const d = uas();
    expect(d.receiveRequest(inDialog('INVITE', 11, '<sip:alice@new.atlanta.example.com>'))).toEqual({
      ok: true,
    });
    expect(formatUri(d.remoteTarget)).toBe('sip:alice@new.atlanta.example.com');
    expect(d.receiveRequest(inDialog('UPDATE', 12, '<sip:alice@x.example.com>;expires=bad'))).toMatchObject({
      ok: false,
      status: 400,
      reason: 'Bad Request (invalid Contact)',
    });
    expect(d.receiveRequest(inDialog('INFO', 13, '<sip:alice@elsewhere.example.com>'))).toEqual({ ok: true });
    expect(formatUri(d.remoteTarget)).toBe('sip:alice@new.atlanta.example.com');
  });

  it('needs a Contact to create the dialog', () => {
    const noContact = req(`INVITE sip:bob@192.0.2.4 SIP/2.0
Via: SIP/2.0/UDP a;branch=z9hG4bK-n
From: <sip:alice@atlanta.example.com>;tag=1
To: <sip:bob@biloxi.example.com>
Call-ID: n1
CSeq: 1 INVITE
Content-Length: 0

`);
    expect(Dialog.fromUasRequest(noContact, 't', { router: routeDialogRequest, overTls: false })).toEqual({
      ok: false,
      reason: 'Bad Request (missing Contact)',
    });
  });
});

describe('DialogTable', () => {
  it('keeps one early dialog per To tag of a forked INVITE and drops dialogs when they terminate', () => {
    const table = new DialogTable(routeDialogRequest);
    const a = table.fromUacResponse(INVITE, ringing('fork-a'), false);
    const b = table.fromUacResponse(INVITE, ringing('fork-b', 'sip:bob@phone2.biloxi.example.com'), false);
    const again = table.fromUacResponse(INVITE, ringing('fork-a'), false);
    if (!a.ok || !b.ok || !again.ok) throw new Error('no dialog');
    expect(again.dialog).toBe(a.dialog);
    expect(table.size).toBe(2);
    expect(
      table.earlyDialogs('3848276298220188511@atlanta.example.com', '9fxced76sl').map((d) => d.id.remoteTag),
    ).toEqual(['fork-a', 'fork-b']);
    expect(table.findForResponse(ringing('fork-b'))).toBe(b.dialog);
    a.dialog.confirm();
    b.dialog.terminate('non-2xx final');
    expect(table.size).toBe(1);
    expect(table.earlyDialogs('3848276298220188511@atlanta.example.com', '9fxced76sl')).toEqual([]);
    expect(() => b.dialog.createRequest('BYE')).toThrow(/terminated/);
    table.clear();
    expect(table.size).toBe(0);
    expect(a.dialog.state).toBe('terminated');
  });

  it('finds the dialog of an incoming request by To tag (local) and From tag (remote)', () => {
    const table = new DialogTable(routeDialogRequest);
    const r = table.fromUacResponse(INVITE, OK, false);
    if (!r.ok) throw new Error(r.reason);
    const bye = req(`BYE sip:alice@client.atlanta.example.com SIP/2.0
Via: SIP/2.0/TLS client2.biloxi.example.com;branch=z9hG4bK-bye
From: Bob <sip:bob@biloxi.example.com>;tag=314159
To: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl
Call-ID: 3848276298220188511@atlanta.example.com
CSeq: 1 BYE
Content-Length: 0

`);
    expect(table.findForRequest(bye)).toBe(r.dialog);
  });
});
