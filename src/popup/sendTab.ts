// The popup's "Send this tab to…": the devices that accept a sent tab (the background's
// getSendTargets), and sending the current window's active tab to one of them. A disclosure (a
// button and the list it shows), keyboard-usable; the outcome is said in a live region.
import { browser } from '../browser/api.ts';
import { t } from '../i18n/i18n.ts';
import type { SendTargetView } from '../shared/sendTab.ts';
import { send } from '../ui/client.ts';
import { deviceTypeLabel } from '../ui/format.ts';
import { CANNOT_SEND_PAGE, sendableTab, type SendableTab } from './sendableTab.ts';

type SendTarget = SendTargetView;

export interface SendTabElements {
  section: HTMLElement;
  button: HTMLButtonElement;
  menu: HTMLUListElement;
  hint: HTMLParagraphElement;
  result: HTMLParagraphElement;
}

/** The current window's active tab, or why it cannot be sent (not a web page, a private window). */
async function sendableActiveTab(): Promise<SendableTab> {
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return sendableTab(tab);
}

const UNREADABLE: SendableTab = { ok: false, reason: CANNOT_SEND_PAGE };

export function mountSendTab(e: SendTabElements): { refresh(signedIn: boolean): void } {
  let shownJson = '';
  let loads = 0;
  let sending = false;

  const setResult = (text: string, isError = false): void => {
    e.result.textContent = text;
    e.result.classList.toggle('error', isError);
  };

  const menuButtons = (): HTMLButtonElement[] => [...e.menu.querySelectorAll('button')];

  const setOpen = (open: boolean, focusButton = false): void => {
    e.menu.hidden = !open;
    e.button.setAttribute('aria-expanded', String(open));
    if (open) menuButtons()[0]?.focus();
    else if (focusButton) e.button.focus();
  };

  const disable = (hint: string): void => {
    setOpen(false);
    e.button.disabled = true;
    e.hint.textContent = hint;
    e.menu.replaceChildren();
    shownJson = '';
  };

  const sendTo = async (target: SendTarget): Promise<void> => {
    if (sending) return;
    const tab = await sendableActiveTab().catch(() => UNREADABLE);
    if (!tab.ok) {
      setOpen(false, true);
      setResult(tab.reason, true);
      return;
    }
    sending = true;
    for (const b of menuButtons()) b.disabled = true;
    setResult(t('sendSending', target.name));
    try {
      await send({ type: 'sendTab', deviceId: target.id, url: tab.url, title: tab.title });
      setOpen(false, true);
      setResult(t('sendSent', target.name));
    } catch (err) {
      setResult(err instanceof Error ? err.message : String(err), true);
    } finally {
      sending = false;
      for (const b of menuButtons()) b.disabled = false;
    }
  };

  const showTargets = (targets: SendTarget[]): void => {
    e.button.disabled = false;
    e.hint.textContent = '';
    const json = JSON.stringify(targets);
    // Re-read on every status change: an unchanged list leaves the open menu (and its focus) alone.
    if (json === shownJson) return;
    shownJson = json;
    const wasOpen = !e.menu.hidden;
    e.menu.replaceChildren(...targets.map((t) => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset['deviceId'] = t.id;
      const name = document.createElement('span');
      name.className = 'send-target-name';
      name.textContent = t.name;
      const type = document.createElement('span');
      type.className = 'send-target-type';
      type.textContent = deviceTypeLabel(t.type);
      b.append(name, type);
      b.addEventListener('click', () => void sendTo(t));
      li.append(b);
      return li;
    }));
    if (wasOpen && !e.menu.contains(document.activeElement)) menuButtons()[0]?.focus();
  };

  e.button.addEventListener('click', () => setOpen(e.button.getAttribute('aria-expanded') !== 'true'));
  e.menu.addEventListener('keydown', (ev) => {
    const buttons = menuButtons();
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (ev.key === 'Escape') {
      ev.preventDefault();
      setOpen(false, true);
    } else if ((ev.key === 'ArrowDown' || ev.key === 'ArrowUp') && buttons.length > 0) {
      ev.preventDefault();
      const next = ev.key === 'ArrowDown' ? (at + 1) % buttons.length : (at - 1 + buttons.length) % buttons.length;
      buttons[next]?.focus();
    } else if (ev.key === 'Home' || ev.key === 'End') {
      ev.preventDefault();
      (ev.key === 'Home' ? buttons[0] : buttons[buttons.length - 1])?.focus();
    }
  });
  e.button.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && !e.menu.hidden) {
      ev.preventDefault();
      setOpen(false);
    }
  });

  return {
    refresh(signedIn) {
      e.section.hidden = !signedIn;
      // A broadcast during a send leaves the menu as it is until the answer comes.
      if (sending) return;
      const mine = ++loads;
      if (!signedIn) {
        disable('');
        return;
      }
      void (async () => {
        const [tab, targets] = await Promise.all([
          sendableActiveTab().catch(() => UNREADABLE),
          send({ type: 'getSendTargets' }).then((v) => ({ ok: true as const, v }), (err: unknown) => ({ ok: false as const, err })),
        ]);
        if (mine !== loads) return;
        if (!tab.ok) disable(tab.reason);
        else if (!targets.ok) disable(targets.err instanceof Error ? targets.err.message : String(targets.err));
        else if (targets.v.length === 0) disable(t('sendNoTargets'));
        else showTargets(targets.v);
      })();
    },
  };
}
