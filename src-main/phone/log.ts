/**
 * The phone's log: a bounded ring of entries, streamed as `app.log` events. Every message passes through
 * `redactSecrets` first, so a password or digest response that slips into a log call never leaves the
 * process (and never reaches the renderer or a log export).
 */
import { Emitter } from '../../src-shared/util/emitter.ts';
import type { LogEntry, LogLevel } from '../../src-shared/model/app.ts';
import type { Clock } from '../platform/index.ts';

const SECRET_PATTERNS: Array<[RegExp, string]> = [
  // Authorization / Proxy-Authorization digest responses and the whole credential header line
  [/((?:proxy-)?authorization\s*:\s*\w+)[^\r\n]*/gi, '$1 <redacted>'],
  [
    /\b(response|cnonce|password|passwd|secret|credential|turn-?password)("?\s*[=:]\s*)("[^"]*"|[^\s,;&"}]+)/gi,
    '$1$2"<redacted>"',
  ],
  [/(--(?:password|turn-password)[= ])\S+/gi, '$1<redacted>'],
  // user:password@ in URIs
  [/(\b(?:sips?|turns?|stuns?):[^:@\s/]+:)[^@\s]+@/gi, '$1<redacted>@'],
];

export function redactSecrets(text: string): string {
  let out = text;
  for (const [re, replacement] of SECRET_PATTERNS) out = out.replace(re, replacement);
  return out;
}

export class PhoneLog {
  readonly entries = new Emitter<LogEntry>();
  private readonly ring: LogEntry[] = [];
  private seq = 0;
  private readonly clock: Clock;
  private readonly capacity: number;

  constructor(clock: Clock, capacity = 2000) {
    this.clock = clock;
    this.capacity = capacity;
  }

  write(level: LogLevel, scope: string, message: string): void {
    const entry: LogEntry = {
      seq: this.seq++,
      at: Math.floor(this.clock.now()),
      level,
      scope: scope.slice(0, 64),
      message: redactSecrets(message).slice(0, 4000),
    };
    this.ring.push(entry);
    if (this.ring.length > this.capacity) this.ring.shift();
    this.entries.emit(entry);
  }

  scope(scope: string): ScopedLog {
    return {
      debug: (m) => this.write('debug', scope, m),
      info: (m) => this.write('info', scope, m),
      warn: (m) => this.write('warn', scope, m),
      error: (m) => this.write('error', scope, m),
    };
  }

  recent(limit: number): LogEntry[] {
    return this.ring.slice(-limit);
  }
}

export interface ScopedLog {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
