/**
 * Reading a vCard file the user picked, and what an import error says: the phone answers
 * `vCard line N: …` (src-main/phone/contacts-service.ts), and the screen shows the line on its own.
 */
import { VCARD_IMPORT_MAX_CHARS } from '../../../../src-shared/model/contact.ts';

export type VCardFileRead =
  { ok: true; text: string } | { ok: false; reason: 'empty' | 'too-large' | 'unreadable'; message: string };

export async function readVCardFile(file: Pick<Blob, 'text' | 'size'>): Promise<VCardFileRead> {
  // UTF-8 never takes fewer bytes than characters, so a file this large can be refused unread
  if (file.size > VCARD_IMPORT_MAX_CHARS * 4) return { ok: false, reason: 'too-large', message: '' };
  let text: string;
  try {
    text = await file.text();
  } catch (error) {
    return {
      ok: false,
      reason: 'unreadable',
      message: error instanceof Error ? error.message : String(error),
    };
  }
  if (text.length > VCARD_IMPORT_MAX_CHARS) return { ok: false, reason: 'too-large', message: '' };
  if (text.trim() === '') return { ok: false, reason: 'empty', message: '' };
  return { ok: true, text: text.replace(/^\uFEFF/, '') };
}

/** The line and the reason of the phone's import error, or null when it names no line. */
export function vCardErrorLine(message: string): { line: number; reason: string } | null {
  const match = /^vCard line (\d+): ([\s\S]*)$/.exec(message);
  if (!match) return null;
  return { line: Number(match[1]), reason: match[2] ?? '' };
}
