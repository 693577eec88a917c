// Byte-exact JSON bodies. syncstorage-rs prints timestamps with exactly two decimals
// (serde_json arbitrary_precision: 1700000000.10, 0.00) and f64 values the way Rust formats them
// (1.0, not 1); JSON.stringify would lose both, so these are assembled by hand.
import { formatTs } from './syncTime.ts';

export interface BsoView {
  id: string;
  modified: number;
  payload: string;
  sortindex?: number;
}

/** Field order id, modified, payload, sortindex (omitted when unset), as syncstorage's GetBso. */
export function bsoJson(b: BsoView): string {
  const sort = b.sortindex === undefined ? '' : `,"sortindex":${b.sortindex}`;
  return `{"id":${JSON.stringify(b.id)},"modified":${formatTs(b.modified)},"payload":${JSON.stringify(b.payload)}${sort}}`;
}

/** Rust f64 Display: integral values keep a ".0". */
export function rustFloat(x: number): string {
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

export function objectJson(entries: Iterable<[string, string]>): string {
  const parts: string[] = [];
  for (const [k, v] of entries) parts.push(`${JSON.stringify(k)}:${v}`);
  return `{${parts.join(',')}}`;
}

export function arrayJson(items: Iterable<string>): string {
  return `[${[...items].join(',')}]`;
}

/** { "modified": ts, "success": [...], "failed": {...} } for a non-batched POST (PostBsos order). */
export function postResultJson(modified: number, success: string[], failed: Map<string, string>): string {
  return `{"modified":${formatTs(modified)},"success":${JSON.stringify(success)},"failed":${failedJson(failed)}}`;
}

export function failedJson(failed: Map<string, string>): string {
  return objectJson([...failed].map(([id, why]) => [id, JSON.stringify(why)]));
}

/** Batch bodies are built with serde_json's json! map, whose keys come out sorted. */
export function batchAcceptedJson(batch: string, success: string[], failed: Map<string, string>): string {
  return `{"batch":${JSON.stringify(batch)},"failed":${failedJson(failed)},"success":${JSON.stringify(success)}}`;
}

export function batchCommitJson(modified: number, success: string[], failed: Map<string, string>): string {
  return `{"failed":${failedJson(failed)},"modified":${formatTs(modified)},"success":${JSON.stringify(success)}}`;
}
