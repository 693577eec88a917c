// manifest.json is the one source of truth; this derives the per-browser variant the build writes.
// Chromium: service worker, stable id from `key`, no gecko settings (Chromium warns on unknown keys).
// Firefox: event-page background scripts (Firefox MV3 has no service workers), fixed gecko id, no `key`
// (Firefox rejects it with a warning) and no minimum_chrome_version.
import baseManifest from './manifest.json' with { type: 'json' };

export type Target = 'chromium' | 'firefox';

type Manifest = typeof baseManifest & Record<string, unknown>;

export function manifestFor(target: Target): Record<string, unknown> {
  const m: Record<string, unknown> = structuredClone(baseManifest) as Manifest;
  const worker = baseManifest.background.service_worker;
  if (target === 'chromium') {
    delete m['browser_specific_settings'];
    m['background'] = { service_worker: worker, type: 'module' };
  } else {
    delete m['key'];
    delete m['minimum_chrome_version'];
    m['background'] = { scripts: [worker], type: 'module' };
  }
  return m;
}
