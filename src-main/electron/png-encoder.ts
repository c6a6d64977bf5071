/**
 * A minimal PNG encoder for the tray and overlay icons we draw at run time (no image files, no binary
 * tooling): 8-bit RGBA, no interlace, filter type 0 on every row, one IDAT chunk.
 *
 * PNG (ISO/IEC 15948, W3C PNG 2nd ed.): the 8-byte signature, then chunks of
 *   length (4 bytes, big-endian, data only) | type (4 ASCII bytes) | data | CRC-32 over type + data.
 * IHDR first (§11.2.2), the zlib stream of the filtered scanlines in IDAT (§10), IEND last.
 */
import { deflateSync } from 'node:zlib';

export const PNG_SIGNATURE: Readonly<Uint8Array> = Uint8Array.of(
  0x89,
  0x50,
  0x4e,
  0x47,
  0x0d,
  0x0a,
  0x1a,
  0x0a,
);

/** An image as straight (not premultiplied) RGBA bytes, row by row from the top. */
export interface RgbaImage {
  width: number;
  height: number;
  /** width × height × 4 bytes. */
  data: Uint8Array;
}

/** Icons only: a bound that keeps a bug from allocating gigabytes. */
const MAX_SIDE = 1024;

const CRC_TABLE = buildCrcTable();

function buildCrcTable(): Uint32Array {
  // The reflected CRC-32 of ISO 3309 / ITU-T V.42 that PNG uses (polynomial 0xEDB88320).
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** CRC-32 of `bytes`, continuing from `previous` (the CRC of the bytes before them). */
export function crc32(bytes: Uint8Array, previous = 0): number {
  let c = ~previous >>> 0;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return ~c >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

export function encodePng(image: RgbaImage): Buffer {
  const { width, height, data } = image;
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    width < 1 ||
    height < 1 ||
    width > MAX_SIDE ||
    height > MAX_SIDE
  ) {
    throw new RangeError(`PNG size must be 1..${MAX_SIDE} pixels per side, got ${width}×${height}`);
  }
  if (data.length !== width * height * 4) {
    throw new RangeError(`RGBA data must be ${width * height * 4} bytes, got ${data.length}`);
  }

  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: truecolour with alpha
  ihdr[10] = 0; // compression method: deflate
  ihdr[11] = 0; // filter method 0 (the five adaptive filters)
  ihdr[12] = 0; // no interlace

  const stride = width * 4;
  const raw = Buffer.alloc(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter type None for this row
    raw.set(data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }

  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}
