import { describe, expect, it } from 'vitest';
import { crc32 as zlibCrc32, inflateSync } from 'node:zlib';
import { crc32, encodePng, PNG_SIGNATURE } from '../../../src-main/electron/png-encoder.ts';
import { drawBadgeOverlay, drawTrayIcon, type TrayIconStatus } from '../../../src-main/electron/tray-icon.ts';

interface Chunk {
  type: string;
  data: Buffer;
  crc: number;
  crcInput: Buffer;
}

/** An independent reader: walks the chunks by their length fields. */
function readChunks(png: Buffer): Chunk[] {
  const chunks: Chunk[] = [];
  let at = 8;
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    chunks.push({
      type,
      data: png.subarray(at + 8, at + 8 + length),
      crc: png.readUInt32BE(at + 8 + length),
      crcInput: png.subarray(at + 4, at + 8 + length),
    });
    at += 12 + length;
  }
  expect(at).toBe(png.length);
  return chunks;
}

function pixels(width: number, height: number, seed: number): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + seed) & 0xff;
  return data;
}

describe('crc32', () => {
  it('matches the CRC-32 check value and zlib', () => {
    expect(crc32(Buffer.from('123456789', 'latin1'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    const data = pixels(7, 5, 3);
    expect(crc32(data)).toBe(zlibCrc32(data));
    expect(crc32(data.subarray(40), crc32(data.subarray(0, 40)))).toBe(zlibCrc32(data));
  });
});

describe('encodePng', () => {
  it('writes the signature, IHDR, IDAT and IEND with valid CRCs', () => {
    const png = encodePng({ width: 3, height: 2, data: pixels(3, 2, 9) });
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect([...png.subarray(0, 8)]).toEqual([...PNG_SIGNATURE]);
    const chunks = readChunks(png);
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    for (const c of chunks) expect(c.crc).toBe(zlibCrc32(c.crcInput));

    const ihdr = chunks[0]!.data;
    expect(ihdr.length).toBe(13);
    expect(ihdr.readUInt32BE(0)).toBe(3);
    expect(ihdr.readUInt32BE(4)).toBe(2);
    expect([...ihdr.subarray(8)]).toEqual([8, 6, 0, 0, 0]);
    expect(chunks[2]!.data.length).toBe(0);
  });

  it('stores every row with filter 0 followed by the exact RGBA bytes', () => {
    const data = pixels(5, 4, 77);
    const raw = inflateSync(readChunks(encodePng({ width: 5, height: 4, data }))[1]!.data);
    expect(raw.length).toBe(4 * (1 + 5 * 4));
    for (let y = 0; y < 4; y++) {
      const row = raw.subarray(y * 21, (y + 1) * 21);
      expect(row[0]).toBe(0);
      expect([...row.subarray(1)]).toEqual([...data.subarray(y * 20, (y + 1) * 20)]);
    }
  });

  it('refuses sizes and buffers that do not match', () => {
    expect(() => encodePng({ width: 0, height: 1, data: new Uint8Array(0) })).toThrow(RangeError);
    expect(() => encodePng({ width: 2, height: 2, data: new Uint8Array(15) })).toThrow(/16 bytes/);
    expect(() => encodePng({ width: 1.5, height: 2, data: new Uint8Array(12) })).toThrow(RangeError);
    expect(() => encodePng({ width: 5000, height: 1, data: new Uint8Array(20000) })).toThrow(RangeError);
  });
});

describe('tray icons', () => {
  const at = (img: { width: number; data: Uint8Array }, x: number, y: number) => [
    ...img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4),
  ];

  it('draws each status with its own colour and shape on a transparent background', () => {
    const statuses: TrayIconStatus[] = ['registered', 'connecting', 'offline', 'failed'];
    const icons = statuses.map((status) => drawTrayIcon({ status, badge: false }, 32));
    for (const icon of icons) {
      expect(icon.data.length).toBe(32 * 32 * 4);
      expect(at(icon, 0, 0)[3]).toBe(0); // corners are transparent
      expect(at(icon, 31, 31)[3]).toBe(0);
    }
    const [registered, connecting, offline, failed] = icons;
    expect(at(registered!, 16, 16)).toEqual([0x2e, 0xad, 0x4b, 255]);
    expect(at(connecting!, 16, 16)[3]).toBe(0); // a ring: hollow middle
    expect(at(connecting!, 16, 4)).toEqual([0xe0, 0xa1, 0x00, 255]);
    expect(at(offline!, 16, 16)[3]).toBe(0);
    expect(at(offline!, 16, 4)).toEqual([0x8a, 0x90, 0x99, 255]);
    expect(at(failed!, 16, 16)).toEqual([0xff, 0xff, 0xff, 255]); // the white bar
    expect(at(failed!, 16, 6)).toEqual([0xd9, 0x3b, 0x3b, 255]);
    // anti-aliased edge: partly covered
    const edge = registered!.data.filter(
      (_v, i) => i % 4 === 3 && registered!.data[i]! > 0 && registered!.data[i]! < 255,
    );
    expect(edge.length).toBeGreaterThan(0);
  });

  it('adds a red badge dot in the top-right corner, separated by a clear gap', () => {
    const plain = drawTrayIcon({ status: 'registered', badge: false }, 32);
    const badged = drawTrayIcon({ status: 'registered', badge: true }, 32);
    expect(at(plain, 25, 7)).toEqual([0x2e, 0xad, 0x4b, 255]);
    expect(at(badged, 25, 7)).toEqual([0xe5, 0x32, 0x2d, 255]);
    expect(at(badged, 16, 16)).toEqual(at(plain, 16, 16));
  });

  it('encodes to PNGs that round-trip', () => {
    for (const img of [drawTrayIcon({ status: 'failed', badge: true }, 16), drawBadgeOverlay(16)]) {
      const chunks = readChunks(encodePng(img));
      const raw = inflateSync(chunks[1]!.data);
      expect(raw.length).toBe(16 * 65);
      const unfiltered = Buffer.concat(
        Array.from({ length: 16 }, (_v, y) => raw.subarray(y * 65 + 1, (y + 1) * 65)),
      );
      expect(unfiltered.equals(Buffer.from(img.data))).toBe(true);
    }
    expect(drawBadgeOverlay(16).data[(8 * 16 + 8) * 4]).toBe(0xe5);
  });
});
