/**
 * Bit-exactness of our G.722 (src-main/media/codec/g722.ts) against the ITU-T's own test sequences:
 *  - G.722 (1988) Appendix II digital test sequences, sub-band ADPCM coders with the QMFs bypassed:
 *    configuration 1 (encoders) bt1c1.xmt → bt2r1.cod, bt1c2.xmt → bt2r2.cod; configuration 2
 *    (decoders, mode 1) bt2r1.cod / bt2r2.cod / bt1d3.cod → bt3l*.rc1 (lower band), bt3h*.rc0 (higher);
 *  - the ITU-T G.191 reference software's whole-codec speech test (QMFs included):
 *    inpsp.bin → codspw.cod → outsp1.bin (mode 1).
 * The files (16-bit little-endian words) come from ITU-T G.191's Software Tool Library
 * (g722-test-data-verification.zip, folder tstvector/littleendian). They are the ITU's, not ours, so they
 * are not in this repository:
 *
 *   node test/tools/g722-itu-vectors.ts DIR      # DIR holds the files named above; exit 0 when all match
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  G722Decoder,
  G722Encoder,
  G722HigherBandDecoder,
  G722HigherBandEncoder,
  G722LowerBandDecoder,
  G722LowerBandEncoder,
} from '../../src-main/media/codec/index.ts';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node test/tools/g722-itu-vectors.ts DIR_WITH_ITU_TEST_SEQUENCES');
  process.exit(2);
}

function words(name: string): Int16Array {
  const bytes = readFileSync(path.join(dir!, name));
  const out = new Int16Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(2 * i);
  return out;
}

function firstMismatch(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

let failures = 0;
function check(label: string, mismatch: number): void {
  console.log(
    `${mismatch === -1 ? 'ok  ' : 'FAIL'} ${label}${mismatch === -1 ? '' : ` (first difference at word ${mismatch})`}`,
  );
  if (mismatch !== -1) failures++;
}

// Configuration 1: input words carry the sample in bits 15–1 for both sub-band encoders and a reset flag
// in bit 0; reference words are (I_H·64 + I_L) << 8, or 1 at a reset.
for (const [input, reference] of [
  ['bt1c1.xmt', 'bt2r1.cod'],
  ['bt1c2.xmt', 'bt2r2.cod'],
] as const) {
  const x = words(input);
  const lower = new G722LowerBandEncoder();
  const higher = new G722HigherBandEncoder();
  const got = new Int16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const word = x[i]!;
    if (word & 1) {
      lower.reset();
      higher.reset();
      got[i] = 1;
      continue;
    }
    const sample = word >> 1;
    got[i] = ((higher.encode(sample) << 6) | lower.encode(sample)) << 8;
  }
  check(`encoder: ${input} → ${reference}`, firstMismatch(got, words(reference)));
}

// Configuration 2 (mode 1): input words carry the octet in bits 15–8 and a reset flag in bit 0; the
// references are r_L << 1 (.rc1) and r_H << 1 (.rc0), or 1 at a reset.
for (const [codes, lowerReference, higherReference] of [
  ['bt2r1.cod', 'bt3l1.rc1', 'bt3h1.rc0'],
  ['bt2r2.cod', 'bt3l2.rc1', 'bt3h2.rc0'],
  ['bt1d3.cod', 'bt3l3.rc1', 'bt3h3.rc0'],
] as const) {
  const input = words(codes);
  const lower = new G722LowerBandDecoder();
  const higher = new G722HigherBandDecoder();
  const gotLower = new Int16Array(input.length);
  const gotHigher = new Int16Array(input.length);
  for (let i = 0; i < input.length; i++) {
    const word = input[i]!;
    if (word & 1) {
      lower.reset();
      higher.reset();
      gotLower[i] = gotHigher[i] = 1;
      continue;
    }
    const octet = (word >> 8) & 0xff;
    gotLower[i] = lower.decode(octet & 0x3f) << 1;
    gotHigher[i] = higher.decode(octet >> 6) << 1;
  }
  check(`decoder: ${codes} → ${lowerReference}`, firstMismatch(gotLower, words(lowerReference)));
  check(`decoder: ${codes} → ${higherReference}`, firstMismatch(gotHigher, words(higherReference)));
}

// The reference software's speech test, QMFs included.
const speech = words('inpsp.bin');
const codes = Uint8Array.from(words('codspw.cod'), (w) => w & 0xff);
check('codec: inpsp.bin → codspw.cod', firstMismatch(new G722Encoder().encode(speech), codes));
check(
  'codec: codspw.cod → outsp1.bin (mode 1)',
  firstMismatch(new G722Decoder().decode(codes), words('outsp1.bin')),
);

process.exit(failures === 0 ? 0 : 1);
