/**
 * serialize: message → bytes. Header lines are written in order with the names as they are (a
 * compact "l" stays "l"), one line per header line, CRLF everywhere. Content-Length always states
 * the body length: the first Content-Length line gets the right value (any others are dropped), and
 * one is appended when there is none (RFC 3261 §18.3 makes it mandatory on streams, and §20.14
 * says "If no body is present in a message, then the Content-Length header field value MUST be set
 * to zero").
 */
import { Buffer } from 'node:buffer';
import { isToken } from './chars.ts';
import type { SipMessage } from './message.ts';
import { formatUri } from './uri.ts';

function startLine(message: SipMessage): string {
  if (message.kind === 'request') {
    if (!isToken(message.method))
      throw new Error(`serialize: invalid method ${JSON.stringify(message.method)}`);
    const uri = formatUri(message.uri);
    if (/[\s<>]/.test(uri)) throw new Error(`serialize: invalid Request-URI ${JSON.stringify(uri)}`);
    return `${message.method} ${uri} SIP/2.0\r\n`;
  }
  const { status, reason } = message;
  if (!(Number.isInteger(status) && status >= 100 && status <= 699))
    throw new Error(`serialize: invalid status ${status}`);
  if (/[\r\n]/.test(reason)) throw new Error('serialize: CR/LF in reason phrase');
  return `SIP/2.0 ${status} ${reason}\r\n`;
}

/** The wire form of a message. Throws only on a message no parser could have produced (a bug). */
export function serialize(message: SipMessage): Buffer {
  const bodyLength = message.body.length;
  let head = startLine(message);
  let lengthWritten = false;
  for (const line of message.headers.lines) {
    if (line.key === 'content-length') {
      if (!lengthWritten) head += `${line.name}: ${bodyLength}\r\n`;
      lengthWritten = true;
    } else head += line.value.length > 0 ? `${line.name}: ${line.value}\r\n` : `${line.name}:\r\n`;
  }
  if (!lengthWritten) head += `Content-Length: ${bodyLength}\r\n`;
  head += '\r\n';
  const headLength = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafe(headLength + bodyLength);
  out.write(head, 0, 'utf8');
  message.body.copy(out, headLength);
  return out;
}
