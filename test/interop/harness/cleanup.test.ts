import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { cleanupStaleRuns, listNetns, NETNS_PREFIX, RUN_ROOT } from '../support/index.ts';

const KAMAILIO_MODULE = path.resolve(import.meta.dirname, '../support/kamailio.ts');

/** A PID that surely belongs to no process any more. */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid ?? 0;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Start Kamailio from a separate Node process (as a test worker would), report its folder and PID on
 * stdout, then wait to be killed.
 */
async function startOrphanableKamailio(): Promise<{
  runner: ReturnType<typeof spawn>;
  dir: string;
  kamailioPid: number;
}> {
  const script = `
    import { startKamailio } from ${JSON.stringify(KAMAILIO_MODULE)};
    import { dirname, join } from 'node:path';
    import { readFileSync } from 'node:fs';
    const k = await startKamailio({ users: [{ user: 'x', password: 'y' }] });
    const dir = dirname(k.configPath);
    console.log(JSON.stringify({ dir, pid: Number(readFileSync(join(dir, 'pids'), 'utf8').trim().split('\\n')[0]) }));
    setInterval(() => {}, 1000);
  `;
  const runner = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    runner.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
    });
    runner.once('exit', (code) => reject(new Error(`runner exited early (${code})`)));
  });
  const parsed = JSON.parse(line) as { dir: string; pid: number };
  return { runner, dir: parsed.dir, kamailioPid: parsed.pid };
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(50);
  }
  return condition();
}

describe('cleanup after crashed runs', () => {
  it('a test process ended by SIGTERM still stops its peers and removes its folder', async () => {
    const { runner, dir, kamailioPid } = await startOrphanableKamailio();
    expect(alive(kamailioPid)).toBe(true);
    runner.kill('SIGTERM');
    await new Promise((resolve) => runner.once('exit', resolve));
    expect(await waitUntil(() => !alive(kamailioPid), 3000)).toBe(true);
    expect(existsSync(dir)).toBe(false);
  });

  it('after SIGKILL of the test process, the next run kills the orphaned peer and removes its folder', async () => {
    const { runner, dir, kamailioPid } = await startOrphanableKamailio();
    runner.kill('SIGKILL');
    await new Promise((resolve) => runner.once('exit', resolve));
    expect(alive(kamailioPid)).toBe(true); // orphaned: nobody ran the exit hook
    expect(existsSync(dir)).toBe(true);

    cleanupStaleRuns(true);
    expect(await waitUntil(() => !alive(kamailioPid), 3000)).toBe(true);
    expect(existsSync(dir)).toBe(false);
  });

  it('removes stale namespaces, port reservations and folders of dead owners, and nothing of live ones', async () => {
    const dead = await deadPid();
    const staleNs = `${NETNS_PREFIX}${dead}-1-pub`;
    execFileSync('ip', ['netns', 'add', staleNs]);
    const staleDir = path.join(RUN_ROOT, 'kamailio-stale-test');
    mkdirSync(staleDir, { recursive: true });
    writeFileSync(path.join(staleDir, 'owner'), String(dead));
    const stalePort = path.join(RUN_ROOT, 'ports', '31999');
    mkdirSync(path.dirname(stalePort), { recursive: true });
    writeFileSync(stalePort, String(dead));
    const liveDir = path.join(RUN_ROOT, 'kamailio-live-test');
    mkdirSync(liveDir, { recursive: true });
    writeFileSync(path.join(liveDir, 'owner'), String(process.pid));
    try {
      cleanupStaleRuns(true);
      expect(listNetns()).not.toContain(staleNs);
      expect(existsSync(staleDir)).toBe(false);
      expect(existsSync(stalePort)).toBe(false);
      expect(readFileSync(path.join(liveDir, 'owner'), 'utf8')).toBe(String(process.pid));
    } finally {
      execFileSync('rm', ['-rf', liveDir]);
      if (listNetns().includes(staleNs)) execFileSync('ip', ['netns', 'del', staleNs]);
    }
  });
});
