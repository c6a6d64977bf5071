import { en } from './messages/en.ts';
import type { MessageKey } from './use-messages.ts';

/** Whether `key` (from the phone, at run time) names a message of the catalogues. */
export function isMessageKey(key: string): key is MessageKey {
  let node: unknown = en;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, part)) return false;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string';
}
