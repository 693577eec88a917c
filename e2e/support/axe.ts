// Runs axe-core (node_modules/axe-core) on a page of the extension and reports what it finds.
// The extension's CSP allows only its own scripts, so a <script> tag (page.addScriptTag) is refused;
// page.evaluate goes through the debugger (CDP Runtime.evaluate), which the page's CSP does not govern.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot } from './paths.ts';

/** The rule sets the suite holds the pages to. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] as const;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: Array<{ target: string[]; failureSummary: string }>;
}

let source: Promise<string> | null = null;
const axeSource = (): Promise<string> => (source ??= readFile(path.join(repoRoot, 'node_modules/axe-core/axe.min.js'), 'utf8'));

/** Every violation axe finds on the page as it is now (all impacts). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => 'axe' in globalThis);
  if (!loaded) await page.evaluate(`${await axeSource()}\n;undefined`);
  return page.evaluate(async (tags) => {
    // axe's own types are not visible inside the page function; this is the part of its API used here.
    const axe = (globalThis as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  }, [...AXE_TAGS]);
}

/** Only the serious and critical ones: what the suite fails on. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  return (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** One line per violation and per element, for a failing assertion a person can act on. */
export function describeViolations(where: string, violations: readonly AxeViolation[]): string {
  if (violations.length === 0) return `${where}: no violations`;
  const lines = [`${where}: ${violations.length} serious/critical accessibility violation(s)`];
  for (const v of violations) {
    lines.push(`  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`);
    for (const n of v.nodes.slice(0, 8)) lines.push(`    ${n.target.join(' ')} — ${n.failureSummary.replace(/\s+/g, ' ').trim()}`);
    if (v.nodes.length > 8) lines.push(`    … and ${v.nodes.length - 8} more`);
  }
  return lines.join('\n');
}
