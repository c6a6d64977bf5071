/**
 * The UA's dialogs by dialog ID (RFC 3261 §12), for matching in-dialog requests and responses, with the
 * router every dialog uses. A forked INVITE can create several early dialogs with the same Call-ID and
 * local tag and different remote tags (§12.1.2, §13.2.2.4): each is its own entry.
 *
 * Dialogs leave the table when they terminate.
 */
import type { SipRequest, SipResponse } from '../syntax/index.ts';
import { Dialog, dialogKey } from './dialog.ts';
import type { DialogCreateResult, DialogRouter } from './dialog.ts';

export class DialogTable {
  readonly router: DialogRouter;
  readonly #dialogs = new Map<string, Dialog>();

  constructor(router: DialogRouter) {
    this.router = router;
  }

  get size(): number {
    return this.#dialogs.size;
  }

  all(): Dialog[] {
    return [...this.#dialogs.values()];
  }

  /** UAC: the dialog a response with a To tag creates (stored), or the one it belongs to (§12.1.2). */
  fromUacResponse(request: SipRequest, response: SipResponse, overTls: boolean): DialogCreateResult {
    const existing = this.findForResponse(response);
    if (existing !== undefined) return { ok: true, dialog: existing };
    const created = Dialog.fromUacResponse(request, response, { router: this.router, overTls });
    if (created.ok) this.add(created.dialog);
    return created;
  }

  /** UAS: the dialog we create by answering `request` with `localTag` (stored). */
  fromUasRequest(
    request: SipRequest,
    localTag: string,
    overTls: boolean,
    state: 'early' | 'confirmed' = 'early',
  ): DialogCreateResult {
    const created = Dialog.fromUasRequest(request, localTag, { router: this.router, overTls, state });
    if (created.ok) {
      const existing = this.#dialogs.get(created.dialog.key);
      if (existing !== undefined) return { ok: true, dialog: existing };
      this.add(created.dialog);
    }
    return created;
  }

  add(dialog: Dialog): void {
    if (dialog.state === 'terminated') throw new Error('adding a terminated dialog');
    if (this.#dialogs.has(dialog.key)) throw new Error(`dialog ${dialog.key} already exists`);
    this.#dialogs.set(dialog.key, dialog);
    const sub = dialog.onStateChange(({ to }) => {
      if (to !== 'terminated') return;
      sub.dispose();
      if (this.#dialogs.get(dialog.key) === dialog) this.#dialogs.delete(dialog.key);
    });
  }

  find(callId: string, localTag: string, remoteTag: string | undefined): Dialog | undefined {
    return this.#dialogs.get(dialogKey({ callId, localTag, remoteTag }));
  }

  /**
   * The dialog of a request the peer sent: "the local tag is the To tag and the remote tag the From tag"
   * (§12.2.2 matches on the dialog ID from the UAS's point of view). Undefined without a To tag.
   */
  findForRequest(request: SipRequest): Dialog | undefined {
    const localTag = request.to.tag;
    if (localTag === undefined) return undefined;
    return this.find(request.callId, localTag, request.from.tag);
  }

  /** The dialog of a response to our request: local tag = From tag, remote tag = To tag. */
  findForResponse(response: SipResponse): Dialog | undefined {
    const localTag = response.from.tag;
    if (localTag === undefined) return undefined;
    return this.find(response.callId, localTag, response.to.tag);
  }

  /** The early dialogs of one forked INVITE (same Call-ID and local tag). */
  earlyDialogs(callId: string, localTag: string): Dialog[] {
    return this.all().filter(
      (d) => d.state === 'early' && d.id.callId === callId && d.id.localTag === localTag,
    );
  }

  /** Terminate every dialog (shutdown). */
  clear(): void {
    for (const d of this.all()) d.terminate('dialog table cleared');
    this.#dialogs.clear();
  }
}
