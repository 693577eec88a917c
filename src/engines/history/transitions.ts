// Browser transition names ↔ Firefox's visit types (record.ts, VisitType).
//
// Reading visits (`history.getVisits`, both browsers use Chromium's names):
//
// | browser transition   | meaning (Chromium)                                         | Firefox type      |
// |----------------------|------------------------------------------------------------|-------------------|
// | `link`               | a link followed; also what Chromium 156's `addUrl` records | 1 link            |
// | `typed`              | typed in the address bar (and automation's navigations)    | 2 typed           |
// | `auto_bookmark`      | opened from a bookmark or an address-bar suggestion of one | 3 bookmark        |
// | `auto_subframe`      | a frame loaded automatically (ads, embeds)                 | 4 embed           |
// | `manual_subframe`    | a navigation inside a frame the person made                | 8 framed link     |
// | `generated`          | a search results page from what was typed                  | 1 link            |
// | `auto_toplevel`      | start-up pages, pages opened from outside the browser      | 1 link            |
// | `form_submit`        | a submitted form                                           | 1 link            |
// | `reload`             | reloaded, or re-opened after a restart                     | 9 reload          |
// | `keyword`            | a search keyword typed in the address bar                  | 2 typed           |
// | `keyword_generated`  | the page a keyword search produced                         | 1 link            |
//
// Firefox search results and form posts are plain links in Places, which is why `generated`,
// `form_submit` and `keyword_generated` map to 1. Firefox's own WebExtension history API only
// knows link, typed, auto_bookmark, auto_subframe, manual_subframe and reload; it reports its
// redirect (5, 6) and download (7) visits as `link`, so on Firefox a local `link` visit may be
// one of those (see `LOOSE_TYPES`).
//
// Writing visits (Firefox only: Chromium's `addUrl` takes only a URL): types 1, 2, 3, 8 and 9 are
// written with their transition name. Redirects and downloads have none; embeds have one, but
// Places keeps no embed visit (ESR 153's addUrl with `auto_subframe` stores nothing), so writing
// them would only repeat every sync. None of those are written to the browser (Firefox hides such
// visits anyway); they stay in the synced record.
import { VisitType, type VisitTypeNumber } from './record.ts';

const FROM_TRANSITION: Readonly<Record<string, VisitTypeNumber>> = {
  link: VisitType.link,
  typed: VisitType.typed,
  auto_bookmark: VisitType.bookmark,
  auto_subframe: VisitType.embed,
  manual_subframe: VisitType.framedLink,
  generated: VisitType.link,
  auto_toplevel: VisitType.link,
  form_submit: VisitType.link,
  reload: VisitType.reload,
  keyword: VisitType.typed,
  keyword_generated: VisitType.link,
};

const TO_TRANSITION: Readonly<Partial<Record<VisitTypeNumber, string>>> = {
  [VisitType.link]: 'link',
  [VisitType.typed]: 'typed',
  [VisitType.bookmark]: 'auto_bookmark',
  [VisitType.framedLink]: 'manual_subframe',
  [VisitType.reload]: 'reload',
};

/** A browser's transition name as a Firefox visit type (unknown names count as links, as Firefox does). */
export function visitTypeFor(transition: string | undefined): VisitTypeNumber {
  return (transition !== undefined ? FROM_TRANSITION[transition] : undefined) ?? VisitType.link;
}

/** The transition name Firefox's `history.addUrl` takes for a visit type; null where it has none. */
export function transitionFor(type: VisitTypeNumber): string | null {
  return TO_TRANSITION[type] ?? null;
}

/** On Firefox a local `link` visit may be a redirect or a download the API cannot name. */
export const LOOSE_TYPES: ReadonlySet<number> = new Set([VisitType.link, VisitType.redirectPermanent, VisitType.redirectTemporary, VisitType.download]);
