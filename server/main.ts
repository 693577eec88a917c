// `npm run server -- --port <n> [--host 127.0.0.1] [--data <dir>] [--demo] [--no-test-mode]
//                    [--hawk-skew <s>] [--verbose]`
// Starts the local Sync stack and prints where everything lives.
import { consoleAccessLog } from './core/accessLog.ts';
import { startServer, type StartOptions } from './start.ts';

export { startServer } from './start.ts';

interface Args {
  port: number;
  host: string;
  data: string | null;
  demo: boolean;
  testMode: boolean;
  verbose: boolean;
  hawkSkew?: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { port: 8400, host: '127.0.0.1', data: null, demo: false, testMode: true, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--port') args.port = Number(value());
    else if (a === '--host') args.host = value();
    else if (a === '--data') args.data = value();
    else if (a === '--demo') args.demo = true;
    else if (a === '--no-test-mode') args.testMode = false;
    else if (a === '--test-mode') args.testMode = true;
    else if (a === '--verbose') args.verbose = true;
    else if (a === '--hawk-skew') args.hawkSkew = Number(value());
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: npm run server -- --port <n> [--host 127.0.0.1] [--data <dir>] [--demo] [--no-test-mode] [--hawk-skew <s>] [--verbose]\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) throw new Error('--port must be 0..65535');
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const opts: StartOptions = { port: args.port, host: args.host, dataDir: args.data, demo: args.demo, testMode: args.testMode };
  if (args.verbose) opts.log = consoleAccessLog;
  if (args.hawkSkew !== undefined) opts.hawkSkewSeconds = args.hawkSkew;
  const server = await startServer(opts);
  const o = server.origin;
  const lines = [
    `Syncbridge local Sync stack listening on ${o}`,
    `  discovery      ${o}/.well-known/fxa-client-configuration`,
    `  token server   ${o}/token/1.0/sync/1.5`,
    `  storage base   ${o}/storage/1.5/<uid>`,
    `  data           ${args.data ?? '(memory only)'}`,
    `  test control   ${args.testMode ? `${o}/__test__/ (faults, storage, accounts)` : 'disabled'}`,
  ];
  if (server.demo) lines.push(`  demo account   ${server.demo.email} / ${server.demo.password}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

// Run only as the entry point, so tests can import startServer from here.
if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('server/main.ts')) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
