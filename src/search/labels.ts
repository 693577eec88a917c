// How a search result's kind reads, shared by the popup and the address bar.
import { t } from '../i18n/i18n.ts';
import type { SearchKind } from '../db/schema.ts';

export function kindText(r: { kind: SearchKind; device: string | null }): string {
  if (r.kind === 'tab') return r.device ? t('searchKindTab', r.device) : t('searchKindTabNoDevice');
  return r.kind === 'history' ? t('searchKindHistory') : t('searchKindBookmark');
}

/** "also bookmarked", for each other kind the same address was found as. */
export function alsoText(kind: SearchKind): string {
  return kind === 'tab' ? t('searchAlsoTab') : kind === 'history' ? t('searchAlsoHistory') : t('searchAlsoBookmark');
}

/** The line under a result's title: its kind, then what else it is. */
export function resultDetail(r: { kind: SearchKind; device: string | null; also: readonly SearchKind[] }): string {
  return [kindText(r), ...r.also.map(alsoText)].join(' · ');
}
