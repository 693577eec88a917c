// Packs records into POSTs and batches within the info/configuration limits (protocol.md §4.6;
// the rules of app-services PostQueue and Firefox's PostQueue, written from the spec).
//
// Sizes are UTF-8 bytes, as the server counts them: max_post_bytes / max_total_bytes /
// max_record_payload_bytes count `payload` only; max_request_bytes counts the whole JSON body
// (brackets and commas included).
import type { OutgoingBso, ServerLimits } from './types.ts';

export interface PlannedPost {
  records: OutgoingBso[];
  /** The exact request body to send. */
  body: string;
  payloadBytes: number;
}

/** One server batch: its posts are committed together by the last one. */
export interface PlannedBatch {
  posts: PlannedPost[];
}

export interface UploadPlan {
  batches: PlannedBatch[];
  /** Records that can never be uploaded under these limits, with the reason (not sent). */
  tooLarge: Map<string, string>;
}

const encoder = new TextEncoder();

function utf8Length(s: string): number {
  return encoder.encode(s).length;
}

/** The wire form of one record (only the fields a write may carry). */
export function bsoWireJson(r: OutgoingBso): string {
  const o: Record<string, unknown> = { id: r.id, payload: r.payload };
  if (r.sortindex !== undefined) o.sortindex = r.sortindex;
  if (r.ttl !== undefined) o.ttl = r.ttl;
  return JSON.stringify(o);
}

export function planUpload(records: readonly OutgoingBso[], limits: ServerLimits): UploadPlan {
  const seen = new Set<string>();
  for (const r of records) {
    // The server rejects a POST with a repeated id as a whole; that is a caller bug.
    if (seen.has(r.id)) throw new TypeError(`duplicate record id in upload: ${r.id}`);
    seen.add(r.id);
  }
  const maxPostRecords = Math.max(1, limits.maxPostRecords);
  const maxTotalRecords = Math.max(1, limits.maxTotalRecords);
  const batches: PlannedBatch[] = [];
  const tooLarge = new Map<string, string>();

  let batch: PlannedBatch = { posts: [] };
  let batchRecords = 0;
  let batchBytes = 0;
  let post: string[] = [];
  let postRecords: OutgoingBso[] = [];
  let postPayload = 0;
  let postRequest = 2; // "[" + "]"

  const closePost = (): void => {
    if (postRecords.length === 0) return;
    batch.posts.push({ records: postRecords, body: `[${post.join(',')}]`, payloadBytes: postPayload });
    post = [];
    postRecords = [];
    postPayload = 0;
    postRequest = 2;
  };
  const closeBatch = (): void => {
    closePost();
    if (batch.posts.length > 0) batches.push(batch);
    batch = { posts: [] };
    batchRecords = 0;
    batchBytes = 0;
  };

  for (const r of records) {
    const json = bsoWireJson(r);
    const jsonBytes = utf8Length(json);
    const payloadBytes = utf8Length(r.payload);
    if (payloadBytes > limits.maxRecordPayloadBytes) {
      tooLarge.set(r.id, `payload of ${payloadBytes} bytes exceeds max_record_payload_bytes ${limits.maxRecordPayloadBytes}`);
      continue;
    }
    if (payloadBytes > limits.maxPostBytes || payloadBytes > limits.maxTotalBytes) {
      tooLarge.set(r.id, `payload of ${payloadBytes} bytes exceeds the per-post or per-batch byte limit`);
      continue;
    }
    if (jsonBytes + 2 > limits.maxRequestBytes) {
      tooLarge.set(r.id, `record of ${jsonBytes} bytes exceeds max_request_bytes ${limits.maxRequestBytes}`);
      continue;
    }
    if (batchRecords + 1 > maxTotalRecords || batchBytes + payloadBytes > limits.maxTotalBytes) closeBatch();
    const comma = postRecords.length > 0 ? 1 : 0;
    if (
      postRecords.length + 1 > maxPostRecords ||
      postPayload + payloadBytes > limits.maxPostBytes ||
      postRequest + comma + jsonBytes > limits.maxRequestBytes
    ) {
      closePost();
    }
    post.push(json);
    postRecords.push(r);
    postPayload += payloadBytes;
    postRequest += (postRecords.length > 1 ? 1 : 0) + jsonBytes;
    batchRecords += 1;
    batchBytes += payloadBytes;
  }
  closeBatch();
  return { batches, tooLarge };
}
