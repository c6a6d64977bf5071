import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeResolver, errorCode } from '../../../src-main/platform/index.ts';

/**
 * A tiny authoritative DNS server on 127.0.0.1 (RFC 1035 wire format, hand-encoded): NAPTR (RFC 3403),
 * SRV (RFC 2782) and A answers,
 * NXDOMAIN, an empty NOERROR (ENODATA), and a name it never answers.
 */
const TYPE = { A: 1, AAAA: 28, SRV: 33, NAPTR: 35 } as const;

interface Srv {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

interface Naptr {
  order: number;
  preference: number;
  flags: string;
  service: string;
  regexp: string;
  replacement: string;
}

const zone: Record<string, { A?: string[]; SRV?: Srv[]; NAPTR?: Naptr[] }> = {
  'example.test': {
    NAPTR: [
      {
        order: 50,
        preference: 10,
        flags: 's',
        service: 'SIP+D2U',
        regexp: '',
        replacement: '_sip._udp.example.test',
      },
    ],
  },
  '_sip._udp.example.test': {
    SRV: [
      { priority: 10, weight: 60, port: 5060, target: 'pbx1.example.test' },
      { priority: 20, weight: 0, port: 5070, target: 'pbx2.example.test' },
    ],
  },
  'pbx1.example.test': { A: ['192.0.2.10', '192.0.2.11'] },
};

function encodeName(name: string): Buffer {
  const labels = name
    .split('.')
    .map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'ascii')]));
  return Buffer.concat([...labels, Buffer.from([0])]);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

/** One answer record whose owner name is a pointer to the question name at offset 12. */
function answer(type: number, rdata: Buffer): Buffer {
  const head = Buffer.alloc(10);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(1, 2); // class IN
  head.writeUInt32BE(60, 4); // TTL
  head.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([Buffer.from([0xc0, 0x0c]), head, rdata]);
}

function respond(query: Buffer): Buffer | undefined {
  let offset = 12;
  const labels: string[] = [];
  while (query[offset] !== 0) {
    const length = query[offset]!;
    labels.push(query.subarray(offset + 1, offset + 1 + length).toString('ascii'));
    offset += 1 + length;
  }
  const questionEnd = offset + 5;
  const name = labels.join('.').toLowerCase();
  const qtype = query.readUInt16BE(offset + 1);
  if (name === 'silent.example.test') return undefined;
  const entry = zone[name];
  const answers: Buffer[] = [];
  if (qtype === TYPE.SRV) {
    for (const srv of entry?.SRV ?? []) {
      answers.push(
        answer(
          TYPE.SRV,
          Buffer.concat([u16(srv.priority), u16(srv.weight), u16(srv.port), encodeName(srv.target)]),
        ),
      );
    }
  }
  if (qtype === TYPE.NAPTR) {
    const text = (t: string) => Buffer.concat([Buffer.from([t.length]), Buffer.from(t, 'ascii')]);
    for (const n of entry?.NAPTR ?? []) {
      answers.push(
        answer(
          TYPE.NAPTR,
          Buffer.concat([
            u16(n.order),
            u16(n.preference),
            text(n.flags),
            text(n.service),
            text(n.regexp),
            encodeName(n.replacement),
          ]),
        ),
      );
    }
  }
  if (qtype === TYPE.A) {
    for (const a of entry?.A ?? []) answers.push(answer(TYPE.A, Buffer.from(a.split('.').map(Number))));
  }
  const rcode = entry === undefined ? 3 : 0; // NXDOMAIN : NOERROR
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0); // id
  header.writeUInt16BE(0x8000 | 0x0400 | (query.readUInt16BE(2) & 0x0100) | 0x0080 | rcode, 2); // QR AA RD RA
  header.writeUInt16BE(1, 4); // QDCOUNT
  header.writeUInt16BE(answers.length, 6); // ANCOUNT
  return Buffer.concat([header, query.subarray(12, questionEnd), ...answers]);
}

let server: Socket;
let serverAddress: string;

beforeAll(async () => {
  server = createSocket('udp4');
  server.on('message', (query, rinfo) => {
    const reply = respond(query);
    if (reply) server.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
  serverAddress = `127.0.0.1:${server.address().port}`;
});

afterAll(() => {
  server.close();
});

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    () => 'resolved',
    (e: unknown) => errorCode(e),
  );
}

describe('NodeResolver against a local DNS server', () => {
  it('uses the servers it is given', () => {
    const resolver = new NodeResolver({ servers: [serverAddress] });
    expect(resolver.servers()).toEqual([serverAddress]);
  });

  it('resolves SRV records', async () => {
    const resolver = new NodeResolver({ servers: [serverAddress], timeoutMs: 2_000 });
    const records = await resolver.resolveSrv('_sip._udp.example.test');
    expect(records.sort((a, b) => a.priority - b.priority)).toEqual([
      { name: 'pbx1.example.test', port: 5060, priority: 10, weight: 60 },
      { name: 'pbx2.example.test', port: 5070, priority: 20, weight: 0 },
    ]);
  });

  it('resolves NAPTR records', async () => {
    const resolver = new NodeResolver({ servers: [serverAddress], timeoutMs: 2_000 });
    expect(await resolver.resolveNaptr('example.test')).toEqual([
      {
        flags: 's',
        service: 'SIP+D2U',
        regexp: '',
        replacement: '_sip._udp.example.test',
        order: 50,
        preference: 10,
      },
    ]);
  });

  it('resolves A records', async () => {
    const resolver = new NodeResolver({ servers: [serverAddress], timeoutMs: 2_000 });
    expect((await resolver.resolve4('pbx1.example.test')).sort()).toEqual(['192.0.2.10', '192.0.2.11']);
  });

  it('NXDOMAIN rejects with ENOTFOUND, an empty answer with ENODATA', async () => {
    const resolver = new NodeResolver({ servers: [serverAddress], timeoutMs: 2_000 });
    expect(await codeOf(resolver.resolve4('nowhere.example.test'))).toBe('ENOTFOUND');
    expect(await codeOf(resolver.resolveSrv('pbx1.example.test'))).toBe('ENODATA');
  });

  it('a server that never answers gives ETIMEOUT', async () => {
    const resolver = new NodeResolver({ servers: [serverAddress], timeoutMs: 50, tries: 1 });
    expect(await codeOf(resolver.resolve4('silent.example.test'))).toBe('ETIMEOUT');
  });

  it('dispose() cancels queries in flight (ECANCELLED)', async () => {
    const resolver = new NodeResolver({ servers: [serverAddress], timeoutMs: 10_000, tries: 1 });
    const pending = resolver.resolve4('silent.example.test');
    resolver.dispose();
    expect(await codeOf(pending)).toBe('ECANCELLED');
  });

  it('works with the default constructor (system servers)', () => {
    expect(new NodeResolver().servers().length).toBeGreaterThanOrEqual(0);
  });
});
