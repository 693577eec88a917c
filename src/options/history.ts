// The history section of the options page: the link to "History from other devices" and, on
// Chromium, whether other devices' pages also go into this browser's history (as visited now).
import { t } from '../i18n/i18n.ts';
import type { Settings } from '../shared/settings.ts';
import { isFirefox } from '../ui/browserFamily.ts';
import { send } from '../ui/client.ts';

const el = <T extends HTMLElement>(id: string): T => {
  const node = document.getElementById(id);
  if (!node) throw new Error(`options: missing #${id}`);
  return node as T;
};
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export function initHistorySection(): void {
  // Firefox writes other devices' visits into its own history with their real times: nothing to choose there.
  el('remote-history-setting').hidden = isFirefox();
  const box = el<HTMLInputElement>('add-remote-history');
  const result = el<HTMLParagraphElement>('add-remote-history-result');
  box.addEventListener('change', async () => {
    const wanted = box.checked;
    try {
      const saved = await send({ type: 'updateSettings', patch: { addRemoteHistoryToBrowser: wanted } });
      box.checked = saved.addRemoteHistoryToBrowser;
      result.className = '';
      result.textContent = saved.addRemoteHistoryToBrowser
        ? t('optionsAddRemoteHistoryOn')
        : t('optionsAddRemoteHistoryOff');
    } catch (e) {
      box.checked = !wanted;
      result.className = 'error';
      result.textContent = message(e);
    }
  });
}

/** Fills the checkbox from the saved settings; it stays disabled until then, so a click is never overwritten by the load. */
export function renderHistorySettings(settings: Settings): void {
  const box = el<HTMLInputElement>('add-remote-history');
  box.checked = settings.addRemoteHistoryToBrowser;
  box.disabled = false;
}
