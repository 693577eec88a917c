// How pages talk to the background: one typed call per request, failures as thrown Errors with
// the background's message, and a subscription to status broadcasts.
import { browser } from '../browser/api.ts';
import { t } from '../i18n/i18n.ts';
import { isStatusChangedEvent, type Reply, type Request, type ResponseMap } from '../shared/messages.ts';
import type { StatusView } from '../shared/status.ts';

export async function send<R extends Request>(req: R): Promise<ResponseMap[R['type']]> {
  const reply = (await browser.runtime.sendMessage(req)) as Reply<ResponseMap[R['type']]> | undefined;
  if (!reply) throw new Error(t('backgroundNoAnswer'));
  if (!reply.ok) throw new Error(reply.error);
  return reply.value;
}

export function onStatusChanged(listener: (s: StatusView) => void): void {
  browser.runtime.onMessage.addListener((m: unknown) => {
    if (isStatusChangedEvent(m)) listener(m.status);
    return undefined;
  });
}
