/**
 * Cutting a TCP/TLS byte stream into STUN messages and TURN ChannelData messages.
 *
 * RFC 5389 §7.2.2: over a stream, STUN messages are self-delimiting (20-byte header + the length field).
 * RFC 5766 §11.5: on the same stream to a TURN server, ChannelData messages follow each other, "padded to
 * a multiple of four bytes in order to ensure the alignment of subsequent messages" over TCP and
 * TLS-over-TCP. Their channel numbers are 0x4000–0x4FFF (RFC 8656 §12 narrowed RFC 5766's 0x4000–0x7FFF).
 *
 * A first byte that is neither means the stream is not STUN/TURN or is out of step;
 * nothing after it can be trusted, so the framer stops and says so.
 */
import { MAGIC_COOKIE, STUN_HEADER_BYTES } from './message.ts';

export type StreamFrame =
  { kind: 'stun'; bytes: Buffer } | { kind: 'channel-data'; channel: number; data: Buffer };

export type FramerResult =
  { ok: true; frames: StreamFrame[] } | { ok: false; frames: StreamFrame[]; reason: string };

/** Largest STUN message accepted on a stream (the length field allows 65 535 + 20). */
const MAX_FRAME_BYTES = 65_535 + STUN_HEADER_BYTES;

export class StunStreamFramer {
  private buffer: Buffer = Buffer.alloc(0);
  private broken: string | undefined;

  /** Bytes held while waiting for the rest of a frame. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Add received bytes; returns the frames now complete (or why the stream cannot be framed). */
  push(chunk: Uint8Array): FramerResult {
    if (this.broken !== undefined) return { ok: false, frames: [], reason: this.broken };
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    const frames: StreamFrame[] = [];
    for (;;) {
      if (this.buffer.length < 4) return { ok: true, frames };
      const first = this.buffer[0] ?? 0;
      const length = this.buffer.readUInt16BE(2);
      if ((first & 0xc0) === 0x00) {
        const total = STUN_HEADER_BYTES + length;
        if (this.buffer.length >= 8 && this.buffer.readUInt32BE(4) !== MAGIC_COOKIE)
          return this.fail(frames, 'no STUN magic cookie');
        if (length % 4 !== 0 || total > MAX_FRAME_BYTES)
          return this.fail(frames, `bad STUN length ${length}`);
        if (this.buffer.length < total) return { ok: true, frames };
        frames.push({ kind: 'stun', bytes: Buffer.from(this.buffer.subarray(0, total)) });
        this.buffer = this.buffer.subarray(total);
      } else if ((first & 0xf0) === 0x40) {
        const padded = 4 + length + ((4 - (length % 4)) % 4);
        if (this.buffer.length < padded) return { ok: true, frames };
        frames.push({
          kind: 'channel-data',
          channel: this.buffer.readUInt16BE(0),
          data: Buffer.from(this.buffer.subarray(4, 4 + length)),
        });
        this.buffer = this.buffer.subarray(padded);
      } else {
        return this.fail(
          frames,
          `unexpected byte 0x${first.toString(16)} where a STUN or ChannelData message should start`,
        );
      }
    }
  }

  private fail(frames: StreamFrame[], reason: string): FramerResult {
    this.broken = reason;
    this.buffer = Buffer.alloc(0);
    return { ok: false, frames, reason };
  }
}

/** A ChannelData message for a stream: header, data, padding to four bytes (RFC 5766 §11.4, §11.5). */
export function encodeChannelData(channel: number, data: Uint8Array, padToFour: boolean): Buffer {
  if (channel < 0x4000 || channel > 0x7fff)
    throw new RangeError(`channel number 0x${channel.toString(16)} out of range`);
  const pad = padToFour ? (4 - (data.length % 4)) % 4 : 0;
  const out = Buffer.alloc(4 + data.length + pad);
  out.writeUInt16BE(channel, 0);
  out.writeUInt16BE(data.length, 2);
  out.set(data, 4);
  return out;
}
