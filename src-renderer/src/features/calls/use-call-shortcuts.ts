/**
 * The window's call keys (call-keys.ts) for as long as the calling component lives: Alt+A answers the
 * first call ringing here, Alt+D declines it, Alt+H hangs up the current call, Alt+M mutes or unmutes it.
 */
import { onScopeDispose } from 'vue';
import { useRouter } from 'vue-router';
import { useCallsStore } from '../../stores/index.ts';
import { callKeyActionOf } from './call-keys.ts';

export function useCallShortcuts(target: Document = document): void {
  const calls = useCallsStore();
  const router = useRouter();

  function onKey(event: KeyboardEvent): void {
    if (event.defaultPrevented) return;
    const action = callKeyActionOf(event);
    if (action === null) return;
    const ringing = calls.incoming[0];
    const current = calls.current?.state === 'ended' ? null : calls.current;
    switch (action) {
      case 'answer':
        if (!ringing) return;
        event.preventDefault();
        void calls.answer(ringing.id).then((result) => {
          if (result.ok) void router.push({ name: 'phone' });
        });
        return;
      case 'decline':
        if (!ringing) return;
        event.preventDefault();
        void calls.reject(ringing.id);
        return;
      case 'hangup':
        if (!current) return;
        event.preventDefault();
        void calls.hangup(current.id);
        return;
      case 'mute':
        if (!current) return;
        event.preventDefault();
        void calls.mute(current.id, !current.muted);
        return;
    }
  }

  target.addEventListener('keydown', onKey);
  onScopeDispose(() => target.removeEventListener('keydown', onKey));
}
