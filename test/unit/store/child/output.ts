/**
 * Synchronous line output for child processes: a line is written to the pipe before the next statement
 * runs, so a parent that kills the child knows exactly which lines were emitted.
 */
import { writeSync } from 'node:fs';

export function emit(line: string): void {
  const bytes = Buffer.from(`${line}\n`, 'utf8');
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(1, bytes, offset);
    } catch (error) {
      // The pipe is non-blocking; when the parent is slow to read, wait for room.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}
