/**
 * Where dial links arrive: macOS `open-url` events (which can come before the app is ready), the first
 * instance's own command line, and the command line a second instance forwards (`second-instance`).
 *
 * Links that arrive before the window can take them are held — only the newest, since a later click
 * supersedes an earlier one — and delivered when `open()` is called. Each link is parsed strictly
 * (dial-link.ts); refused links are logged, never delivered. Delivery only *asks* to dial: the receiver
 * pre-fills the dial pad and the user confirms.
 */
import {
  DIAL_LINK_SCHEMES,
  dialTargetFromLink,
  findDialLinkInArgv,
  linkForLog,
  type DialLinkScheme,
} from './dial-link.ts';

export type DialLinkSource = 'open-url' | 'argv' | 'second-instance';

export interface DialLinkReceiver {
  deliver(target: string, source: DialLinkSource): void;
  warn(message: string): void;
}

export class DialLinkInbox {
  private receiver: DialLinkReceiver | undefined;
  private held: { link: string; source: DialLinkSource } | undefined;

  receive(link: string, source: DialLinkSource): void {
    if (!this.receiver) {
      this.held = { link, source };
      return;
    }
    const parsed = dialTargetFromLink(link);
    if (parsed.ok) this.receiver.deliver(parsed.target, source);
    else this.receiver.warn(`refused a dial link from ${source} (${parsed.reason}): ${linkForLog(link)}`);
  }

  /** A command line (ours at start, or one a second instance forwarded); answers whether it held a link. */
  receiveArgv(argv: readonly string[], source: 'argv' | 'second-instance'): boolean {
    const link = findDialLinkInArgv(argv);
    if (link === undefined) return false;
    this.receive(link, source);
    return true;
  }

  /** From now on deliver to `receiver`, starting with the link held so far (if any). */
  open(receiver: DialLinkReceiver): void {
    this.receiver = receiver;
    const held = this.held;
    this.held = undefined;
    if (held) this.receive(held.link, held.source);
  }

  /** Stop delivering (the app is quitting); later links are held and dropped with the inbox. */
  close(): void {
    this.receiver = undefined;
  }
}

/**
 * Make us the system's handler of dial links. Packaged builds only: in development the registered
 * command would be the bare Electron binary, which would not start this app.
 */
export function registerAsDialLinkHandler(
  app: { isPackaged: boolean; setAsDefaultProtocolClient(scheme: string): boolean },
  warn: (message: string) => void,
): DialLinkScheme[] {
  if (!app.isPackaged) return [];
  const registered: DialLinkScheme[] = [];
  for (const scheme of DIAL_LINK_SCHEMES) {
    if (app.setAsDefaultProtocolClient(scheme)) registered.push(scheme);
    else warn(`could not register as the handler of ${scheme}: links`);
  }
  return registered;
}
