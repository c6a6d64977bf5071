/**
 * SRTP cost per packet: ours (src-main/media/rtp, RFC 3711 with the replay list and ROC estimate) vs
 * werift's `SrtpSession`, both AES_CM_128_HMAC_SHA1_80 on the same 10-minute G.711 call (30,000 RTP
 * packets of 160 payload bytes each way). Before timing, each side unprotects what the other protected —
 * the figures compare two implementations that agree on every byte.
 *
 * Run: node bench/srtp.bench.ts   (`--json` prints one JSON object)
 */
import { randomBytes } from 'node:crypto';
import { RtpHeader, RtpPacket, SrtpSession } from 'werift';
import { SrtpReceiver, SrtpSender } from '../src-main/media/rtp/index.ts';

const PACKETS = 10 * 60 * 50;
const ROUNDS = 7;
const SUITE = 'AES_CM_128_HMAC_SHA1_80';
const WERIFT_AES_CM_128_HMAC_SHA1_80 = 1;

const key = randomBytes(16);
const salt = randomBytes(14);
const keySalt = Buffer.concat([key, salt]);

/** The call's RTP packets: sequence numbers across a 16-bit wrap, so the ROC is exercised. */
const headers: RtpHeader[] = [];
const payloads: Buffer[] = [];
const plain: Buffer[] = [];
for (let i = 0; i < PACKETS; i++) {
  const header = new RtpHeader({
    payloadType: 0,
    sequenceNumber: (65_000 + i) & 0xffff,
    timestamp: (i * 160) >>> 0,
    ssrc: 0x1234_5678,
  });
  const payload = randomBytes(160);
  headers.push(header);
  payloads.push(payload);
  plain.push(new RtpPacket(header, payload).serialize());
}

function weriftSession(): SrtpSession {
  return new SrtpSession({
    keys: { localMasterKey: key, localMasterSalt: salt, remoteMasterKey: key, remoteMasterSalt: salt },
    profile: WERIFT_AES_CM_128_HMAC_SHA1_80,
  });
}

/** Each implementation reads the other's packets: same bytes in, same bytes out. */
function crossCheck(): void {
  const ours = new SrtpSender(SUITE, keySalt);
  const theirs = weriftSession();
  const ourReceiver = new SrtpReceiver(SUITE, keySalt);
  const theirReceiver = weriftSession();
  for (let i = 0; i < PACKETS; i += 97) {
    const fromUs = ours.protectRtp(plain[i]!);
    const fromThem = theirs.encrypt(payloads[i]!, headers[i]!);
    if (!fromUs.equals(fromThem)) throw new Error(`packet ${i}: the two protect differently`);
    const read = ourReceiver.unprotectRtp(fromThem);
    if (!read.ok || !Buffer.from(read.packet).equals(plain[i]!))
      throw new Error(`packet ${i}: we cannot read werift's`);
    if (!theirReceiver.decrypt(fromUs).equals(plain[i]!))
      throw new Error(`packet ${i}: werift cannot read ours`);
  }
}

interface Figure {
  name: string;
  msPerCall: number;
  packetsPerSecond: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time(name: string, run: () => void): Figure {
  run(); // warm-up (JIT, key schedules)
  const samples: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.cpuUsage();
    run();
    const used = process.cpuUsage(start);
    samples.push((used.user + used.system) / 1000);
  }
  const ms = median(samples);
  return { name, msPerCall: ms, packetsPerSecond: (PACKETS / ms) * 1000 };
}

crossCheck();

const ourProtected = (() => {
  const s = new SrtpSender(SUITE, keySalt);
  return plain.map((p) => s.protectRtp(p));
})();

const figures = [
  time('ours    protect', () => {
    const s = new SrtpSender(SUITE, keySalt);
    for (const p of plain) s.protectRtp(p);
  }),
  time('werift  protect', () => {
    const s = weriftSession();
    for (let i = 0; i < PACKETS; i++) s.encrypt(payloads[i]!, headers[i]!);
  }),
  time('ours    unprotect (auth, replay list, ROC)', () => {
    const r = new SrtpReceiver(SUITE, keySalt);
    for (const p of ourProtected) if (!r.unprotectRtp(p).ok) throw new Error('refused');
  }),
  time('werift  unprotect', () => {
    const s = weriftSession();
    for (const p of ourProtected) s.decrypt(p);
  }),
];

if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ packets: PACKETS, rounds: ROUNDS, figures }));
} else {
  console.log(
    `SRTP ${SUITE}, ${PACKETS} packets (a 10-minute G.711 call, one direction), CPU time, median of ${ROUNDS}`,
  );
  for (const f of figures)
    console.log(
      `  ${f.name.padEnd(44)} ${f.msPerCall.toFixed(1).padStart(7)} ms  ${Math.round(f.packetsPerSecond).toLocaleString('en').padStart(10)} packets/s`,
    );
}
