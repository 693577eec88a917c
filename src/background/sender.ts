// Only this extension's own pages may talk to the background: content scripts do not exist here,
// other extensions cannot reach runtime.onMessage, but the check keeps that true if either changes.
export interface SenderInfo {
  id?: string;
  url?: string;
  tab?: unknown;
}

export function isOwnExtensionPage(sender: SenderInfo, ownId: string, ownBaseUrl: string): boolean {
  return sender.id === ownId && typeof sender.url === 'string' && sender.url.startsWith(ownBaseUrl);
}
