import { describe, expect, it } from 'vitest';
import { PhoneLog, redactSecrets } from '../../../src-main/phone/index.ts';
import { FakeClock } from '../../../src-main/platform/index.ts';

describe('redactSecrets', () => {
  it.each([
    ['Authorization: Digest username="1000", realm="lab", nonce="abc", response="0123456789abcdef"', 'abc'],
    ['Proxy-Authorization: Digest response="deadbeef", cnonce="xyz"', 'deadbeef'],
    ['--password hunter2 --aor sip:1000@lab', 'hunter2'],
    ['--turn-password=s3cret', 's3cret'],
    ['password=hunter2&x=1', 'hunter2'],
    ['{"password":"hunter2"}', 'hunter2'],
    ['sip:1000:hunter2@lab.test', 'hunter2'],
    ['turn:alice:hunter2@turn.example.com', 'hunter2'],
  ])('hides the secret in %s', (text, secret) => {
    expect(redactSecrets(text)).not.toContain(secret);
  });

  it('leaves ordinary text alone', () => {
    expect(redactSecrets('REGISTER sip:lab.test SIP/2.0 → 200 OK')).toBe(
      'REGISTER sip:lab.test SIP/2.0 → 200 OK',
    );
  });
});

describe('PhoneLog', () => {
  it('keeps a bounded ring, redacts, and streams entries', () => {
    const clock = new FakeClock({ now: 1000 });
    const log = new PhoneLog(clock, 3);
    const seen: string[] = [];
    const sub = log.entries.on((e) => seen.push(e.message));
    for (let i = 0; i < 5; i++) log.write('info', 'test', `line ${i} password=p${i}`);
    expect(log.recent(10).map((e) => e.seq)).toEqual([2, 3, 4]);
    expect(seen).toHaveLength(5);
    expect(seen.join()).not.toMatch(/p\d/);
    expect(log.recent(1)[0]).toMatchObject({ at: 1000, level: 'info', scope: 'test' });
    sub.dispose();
    expect(log.entries.listenerCount).toBe(0);
  });
});
