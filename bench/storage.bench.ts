// Storage throughput: starts the stack in-process (storage only) and measures requests per
// second for POSTs of 100-record batches and GETs of 100 full records, each over a bounded
// number of iterations, sequentially and with a few concurrent clients.
// Run: npx tsx bench/storage.bench.ts [iterations]
import { randomBytes } from 'node:crypto';
import { hawkHeader } from '../src/sync/crypto/hawk.ts';
import { startServer } from '../server/start.ts';

const ITERATIONS = Number(process.argv[2] ?? 300);
const RECORDS_PER_POST = 100;

function fakeEncryptedPayload(): string {
  // Shape and size of a real bookmark record: {ciphertext, IV, hmac}, ~400 bytes.
  return JSON.stringify({ ciphertext: randomBytes(280).toString('base64'), IV: randomBytes(16).toString('base64'), hmac: randomBytes(32).toString('hex') });
}

async function main(): Promise<void> {
  const server = await startServer({ identity: false, testMode: false });
  const uid = '1001';
  const creds = server.ctx.hawkTokens.issue({ uid, generation: 0, ttlSeconds: 3600 });
  const base = `${server.origin}/storage/1.5/${uid}`;
  const request = async (method: string, path: string, body?: string): Promise<number> => {
    const url = base + path;
    const headers: Record<string, string> = { authorization: hawkHeader({ method, url, id: creds.id, key: creds.key }) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
    await res.arrayBuffer();
    if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status}`);
    return res.status;
  };

  const bodies = Array.from({ length: 20 }, (_, b) =>
    JSON.stringify(Array.from({ length: RECORDS_PER_POST }, (_, i) => ({ id: `b${b}r${i}`.padEnd(12, 'x'), payload: fakeEncryptedPayload(), sortindex: i }))),
  );
  const postBytes = bodies[0]!.length;

  const run = async (label: string, concurrency: number, op: (i: number) => Promise<unknown>, requestsPerOp = 1): Promise<void> => {
    // Warm-up outside the measurement.
    for (let i = 0; i < 10; i++) await op(i);
    let next = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < ITERATIONS) await op(next++);
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const ops = ITERATIONS / seconds;
    const rps = ops * requestsPerOp;
    process.stdout.write(`${label.padEnd(40)} ${rps.toFixed(0).padStart(6)} req/s  ${((ops * RECORDS_PER_POST) / 1000).toFixed(1).padStart(6)}k records/s  (${ITERATIONS * requestsPerOp} requests, ${seconds.toFixed(2)} s)\n`);
  };

  process.stdout.write(`storage bench: ${ITERATIONS} requests per case, ${RECORDS_PER_POST} records/request, POST body ${(postBytes / 1024).toFixed(0)} KiB\n`);
  await run('POST 100 records (c=1)', 1, (i) => request('POST', '/storage/bookmarks', bodies[i % bodies.length]));
  await run('POST 100 records (c=4)', 4, (i) => request('POST', '/storage/bookmarks', bodies[i % bodies.length]));
  await run('GET full=1&limit=100 (c=1)', 1, (i) => request('GET', `/storage/bookmarks?full=1&limit=100&offset=${(i % 19) * 100}&sort=index`));
  await run('GET full=1&limit=100 (c=4)', 4, (i) => request('GET', `/storage/bookmarks?full=1&limit=100&offset=${(i % 19) * 100}&sort=index`));
  await run('batch POST 100 then commit (c=1)', 1, async (i) => {
    const first = await fetch(base + '/storage/history?batch=true', {
      method: 'POST',
      headers: { authorization: hawkHeader({ method: 'POST', url: base + '/storage/history?batch=true', id: creds.id, key: creds.key }), 'content-type': 'application/json' },
      body: bodies[i % bodies.length]!,
    });
    const { batch } = (await first.json()) as { batch: string };
    await request('POST', `/storage/history?batch=${encodeURIComponent(batch)}&commit=true`, '[]');
  }, 2);
  await server.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
