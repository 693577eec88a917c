import { defineConfig } from 'vite';
import { crx } from '@crxjs/vite-plugin';
import { manifestFor, type Target } from './manifest.config.ts';

// One build per browser: `vite build --mode chromium` / `--mode firefox` (scripts/build.mjs runs both).
export default defineConfig(({ mode }) => {
  const target: Target = mode === 'firefox' ? 'firefox' : 'chromium';
  return {
    // Firefox gets background.scripts from crxjs when told its browser; Chromium a service worker.
    plugins: [
      // The manifest type of crxjs is stricter than JSON import types; the shape is checked by web-ext lint
      // and by loading it in both browsers in e2e.
      crx({ manifest: manifestFor(target) as unknown as Parameters<typeof crx>[0]['manifest'], browser: target === 'firefox' ? 'firefox' : 'chrome' }),
    ],
    build: {
      outDir: `dist/${target}`,
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: true,
      minify: false,
      modulePreload: false,
      // Pages the manifest does not name (crxjs builds those it names); their paths in dist/ are as in src/ (see src/ui/pages.ts).
      rolldownOptions: {
        input: { history: 'src/history/history.html' },
      },
    },
    // A fixed dev-server port is not used: the extension is always built, never served.
    logLevel: 'warn',
  };
});
