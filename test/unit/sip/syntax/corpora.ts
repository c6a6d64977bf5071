/**
 * Loads the shared SIP corpora (read-only, byte-exact): ../shared/testdata relative to the repo root.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '../../../..');
export const testdata = path.resolve(repoRoot, '../shared/testdata');

export interface TortureEntry {
  file: string;
  rfc: string;
  section: string;
  title: string;
  valid: boolean;
  expect: string;
  lenientAllowed?: string;
  note: string;
  lineEndings: 'CRLF' | 'LF';
  bytes: number;
  sha256: string;
}

export interface CorpusEntry {
  file: string;
  rfc: string;
  section: string;
  flow: string;
  description: string;
  kind: 'request' | 'response';
  method: string | null;
  status: number | null;
  cseqMethod: string;
  contentType: string | null;
  contentLength: number | null;
  bodyBytes: number;
  bytes: number;
  sha256: string;
  wellFormed: boolean;
  notes: string[];
}

export const tortureIndex = JSON.parse(
  readFileSync(path.join(testdata, 'sip-torture/torture-index.json'), 'utf8'),
) as TortureEntry[];
export const corpusIndex = JSON.parse(
  readFileSync(path.join(testdata, 'sip-corpus/index.json'), 'utf8'),
) as CorpusEntry[];

/** The file's bytes exactly as stored. */
export function tortureBytes(entry: TortureEntry): Buffer {
  return readFileSync(path.join(testdata, 'sip-torture', entry.file));
}

/**
 * The bytes as a wire parser must see them. RFC 5118's archive uses bare LF; its README says to
 * convert to CRLF before feeding a wire parser. RFC 4475 files are CRLF already and used as is.
 */
export function tortureWire(entry: TortureEntry): Buffer {
  const raw = tortureBytes(entry);
  if (entry.lineEndings === 'CRLF') return raw;
  return Buffer.from(raw.toString('latin1').replace(/\n/g, '\r\n'), 'latin1');
}

export function tortureEntry(file: string): TortureEntry {
  const e = tortureIndex.find((t) => t.file === file);
  if (!e) throw new Error(`no torture entry ${file}`);
  return e;
}

export function corpusBytes(entry: CorpusEntry): Buffer {
  return readFileSync(path.join(testdata, 'sip-corpus', entry.file));
}

/** Every corpus message, well-formed ones first. */
export const wellFormedCorpus = corpusIndex.filter((e) => e.wellFormed);
export const quirkCorpus = corpusIndex.filter((e) => !e.wellFormed);
