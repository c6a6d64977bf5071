/**
 * A one-shot SIP request over UDP on loopback, to check a server's answers (401/407/404/200…) without
 * any user agent. Deliberately minimal: it is a probe for the harness, not SIP code of the phone.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';

export interface SipProbeRequest {
  server: { address: string; port: number };
  method: string;
  requestUri: string;
  /** From URI (a tag is added). */
  from: string;
  /** To URI. */
  to: string;
  extraHeaders?: readonly string[];
  /** Give up after this long (default 5000 ms); retransmits every 500 ms. */
  timeoutMs?: number;
}

export interface SipProbeResponse {
  status: number;
  reason: string;
  /** Header values by lower-case name (first occurrence). */
  headers: Record<string, string>;
  raw: string;
}

/** Send the request and resolve with its first final (≥ 200) response. */
export function sipProbe(request: SipProbeRequest): Promise<SipProbeResponse> {
  const socket = createSocket('udp4');
  const branch = `z9hG4bK-probe-${randomBytes(6).toString('hex')}`;
  const callId = `${randomBytes(8).toString('hex')}@probe`;
  const tag = randomBytes(4).toString('hex');
  return new Promise<SipProbeResponse>((resolve, reject) => {
    let retransmit: NodeJS.Timeout | undefined;
    const timeout = setTimeout(
      () => finish(new Error(`no final response to ${request.method} in ${request.timeoutMs ?? 5000} ms`)),
      request.timeoutMs ?? 5000,
    );
    const finish = (result: SipProbeResponse | Error): void => {
      clearTimeout(timeout);
      clearInterval(retransmit);
      socket.close();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    socket.on('error', (error) => finish(error));
    socket.on('message', (data) => {
      const raw = data.toString('utf8');
      const status = /^SIP\/2\.0 (\d{3}) ([^\r\n]*)/.exec(raw);
      if (!status || Number(status[1]) < 200 || !raw.includes(branch)) return;
      const headers: Record<string, string> = {};
      for (const line of raw.split('\r\n\r\n')[0]?.split('\r\n').slice(1) ?? []) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim().toLowerCase();
        headers[name] ??= line.slice(colon + 1).trim();
      }
      finish({ status: Number(status[1]), reason: status[2] ?? '', headers, raw });
    });
    socket.bind(0, '127.0.0.1', () => {
      const local = socket.address();
      const message = [
        `${request.method} ${request.requestUri} SIP/2.0`,
        `Via: SIP/2.0/UDP ${local.address}:${local.port};branch=${branch};rport`,
        'Max-Forwards: 70',
        `From: <${request.from}>;tag=${tag}`,
        `To: <${request.to}>`,
        `Call-ID: ${callId}`,
        `CSeq: 1 ${request.method}`,
        `Contact: <sip:probe@${local.address}:${local.port}>`,
        ...(request.extraHeaders ?? []),
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      const send = (): void => socket.send(message, request.server.port, request.server.address);
      send();
      retransmit = setInterval(send, 500);
    });
  });
}
