// Reading the "Tabs from other devices" list (src/ui/remoteTabsList.ts) in either browser: a
// self-contained function for Playwright's or puppeteer's page.evaluate.

export interface ShownRemoteTab {
  title: string;
  /** The host line under the title. */
  host: string;
  href: string | null;
}

export interface ShownRemoteDevice {
  /** The device's h3. */
  name: string;
  /** Its kind in words ("Desktop"). */
  type: string;
  tabs: ShownRemoteTab[];
}

/** The devices and tabs a person sees now, in page order (hidden ones left out), read in one go. */
export function readShownRemoteTabs(): ShownRemoteDevice[] {
  return [...document.querySelectorAll('[data-testid="remote-tabs"] section.tabs-device')]
    .filter((s) => (s as HTMLElement).checkVisibility())
    .map((s) => ({
      name: s.querySelector('h3')?.textContent ?? '',
      type: s.querySelector('.tabs-device-type')?.textContent ?? '',
      tabs: [...s.querySelectorAll('li')].filter((li) => li.checkVisibility()).map((li) => ({
        title: li.querySelector('.tab-title')?.textContent ?? '',
        host: li.querySelector('.tab-host')?.textContent ?? '',
        href: li.querySelector('a')?.getAttribute('href') ?? null,
      })),
    }));
}
