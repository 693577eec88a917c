// `npm run check:store`: the Chrome Web Store's offline checks (scripts/store/checks.ts) over what
// `npm run build` wrote: the unpacked dist/chromium and the store zip in artifacts/. Exits 1 with
// one line per problem.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkChromePackage, filesFromMap, filesFromZip } from './store/checks.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function readTree(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.set(path.relative(dir, full).split(path.sep).join('/'), await readFile(full));
  }
  return files;
}

async function main(): Promise<number> {
  const { version } = JSON.parse(await readFile(path.join(root, 'manifest.json'), 'utf8')) as { version: string };
  const distDir = path.join(root, 'dist/chromium');
  const zipPath = path.join(root, 'artifacts', `syncbridge-${version}-chromium.zip`);
  let tree: Map<string, Buffer>;
  let zip: Buffer;
  try {
    tree = await readTree(distDir);
    zip = await readFile(zipPath);
  } catch (e) {
    console.error(`check:store: ${e instanceof Error ? e.message : String(e)}\nRun \`npm run build\` first (it writes dist/chromium and ${path.relative(root, zipPath)}).`);
    return 1;
  }
  const packaged = filesFromZip(zip);
  const problems = [
    ...checkChromePackage(filesFromMap(tree), { storePackage: false }).map((p) => `dist/chromium: ${p}`),
    ...checkChromePackage(packaged).map((p) => `${path.relative(root, zipPath)}: ${p}`),
  ];
  // The zip is the unpacked build, whole, less its source maps.
  const inZip = new Set(packaged.names());
  for (const name of tree.keys()) {
    if (!name.endsWith('.map') && !inZip.has(name)) problems.push(`${path.relative(root, zipPath)}: ${name} from dist/chromium is missing`);
  }
  if (problems.length > 0) {
    console.error(`Chrome Web Store checks: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join('\n')}`);
    return 1;
  }
  console.log(`Chrome Web Store checks: dist/chromium and ${path.relative(root, zipPath)} pass (${inZip.size} files).`);
  return 0;
}

process.exitCode = await main();
