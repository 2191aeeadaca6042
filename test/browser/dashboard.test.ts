/**
 * The dashboard in a real browser (Debian's chromium through playwright-core): place a browser-phone call through
 * the hotline's menu to an outcome, watch the live-call view and the diagram, and save a screenshot.
 * With TOUCHTONE_REQUIRE_BROWSER=1 (CI) a missing browser fails the test; without it, the test says why it skips.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config/load-config.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { silentLogger } from '../../src/runtime/services.js';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'browser-test-token-0123456789';
const RESULTS = resolve('test-results');
const required = Boolean(process.env.TOUCHTONE_REQUIRE_BROWSER);
const available = existsSync(CHROMIUM);

let server: RunningServer | undefined;
let browser: BrowserContext | undefined;

beforeAll(async () => {
  if (!available) return;
  const dir = mkdtempSync(join(tmpdir(), 'tt-browser-'));
  copyFileSync(resolve('flows/acme-hotline.yaml'), join(dir, 'acme-hotline.yaml'));
  const { config } = loadConfig({ cwd: dir, env: { TOUCHTONE_FLOWS_DIR: dir, TOUCHTONE_HTTP_PORT: '0', TOUCHTONE_STORE_PATH: ':memory:', TOUCHTONE_TOKEN: TOKEN, TOUCHTONE_SHUTDOWN_GRACE_MS: '0' } });
  server = await startServer({ config: config!, logger: silentLogger, watch: false, phone: { msPerChar: 6, ringMs: 300 } });
  // A fresh profile each run (playwright passes it to chromium as --user-data-dir).
  browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'tt-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1440, height: 1000 },
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.shutdown('test');
});

async function openDashboard(): Promise<Page> {
  const page = await browser!.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // A refused request is logged by the browser too; those are asserted on where they are expected.
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()));
  page.on('response', (r) => r.url().endsWith('/ready') && r.status() !== 200 && void r.text().then((t) => errors.push(`/ready ${r.status()}: ${t}`)));
  (page as Page & { errors: string[] }).errors = errors;
  await page.goto(`${server!.url}#token=${TOKEN}`);
  return page;
}

describe('dashboard', () => {
  it('places a browser-phone call through a menu to an outcome, with live view, diagram and screenshot', async (ctx) => {
    if (!available) {
      if (required) throw new Error(`TOUCHTONE_REQUIRE_BROWSER is set but \`${CHROMIUM}\` is missing; install it with \`apt-get install chromium\`.`);
      console.log(`dashboard browser test skipped: \`${CHROMIUM}\` is not installed (apt-get install chromium).`);
      ctx.skip();
      return;
    }
    // Office hours depend on the real time; an admin override opens the office so the call reaches the menu.
    const override = await fetch(`${server!.url}api/hours/overrides`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ hours: 'office', state: 'open', reason: 'browser test' }),
    });
    expect(override.status).toBe(201);

    const page = await openDashboard();
    // The token moved from the address bar into the session.
    expect(page.url()).not.toContain(TOKEN);
    await page.locator('.flow-item', { hasText: 'acme-hotline' }).waitFor();
    await expect.poll(() => page.locator('#flow-badge').textContent()).toBe('version 1');
    await page.locator('#diagram svg [data-step="main"]').waitFor();

    await page.locator('#phone-flow').selectOption('acme-hotline');
    await page.locator('#call').click();
    await page.locator('#transcript .line.prompt', { hasText: 'For your account balance press 1' }).waitFor({ timeout: 10_000 });
    // Live-call view and the current step on the diagram.
    await page.locator('#tab-live tr', { hasText: 'main' }).waitFor({ timeout: 5_000 });
    await page.locator('#diagram [data-step="main"].current').waitFor({ timeout: 5_000 });
    expect(await page.locator('#phone-step').textContent()).toContain('step main');
    // The live call's step-by-step trace.
    await page.locator('#tab-live tr', { hasText: 'main' }).locator('button', { hasText: 'Trace' }).click();
    await page.locator('#trace li', { hasText: 'entered main (menu)' }).waitFor({ timeout: 5_000 });
    await page.locator('#trace button', { hasText: 'Close' }).click();

    // 2: opening hours, spoken, then back to the menu; 4: sales, transferred.
    await page.locator('.keypad button[data-key="2"]').click();
    await page.locator('#transcript .line.key', { hasText: '2' }).waitFor();
    // Back in the menu (entered anew, so the full prompt plays again).
    await expect.poll(() => page.locator('#transcript .line.prompt', { hasText: 'For your account balance press 1' }).count(), { timeout: 10_000 }).toBe(2);
    await page.locator('#diagram [data-step="main"].current').waitFor({ timeout: 5_000 });
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'dashboard-in-call.png') });
    if (process.env.TOUCHTONE_UPDATE_DOCS_SCREENSHOT) await page.screenshot({ path: resolve('docs/dashboard.png') });
    await page.locator('.keypad button[data-key="4"]').click();
    await page.locator('#transcript .line.prompt', { hasText: 'Connecting you now.' }).waitFor({ timeout: 10_000 });
    await page.locator('#transcript .line.end', { hasText: 'transferred to sales' }).waitFor({ timeout: 10_000 });
    await expect.poll(() => page.locator('#phone-step').textContent()).toBe('Call ended');
    expect(await page.locator('.keypad button[data-key="1"]').isDisabled()).toBe(true);

    // The diagram shows the traffic of the call.
    await expect.poll(() => page.locator('#diagram [data-step="sales"] .meta').textContent(), { timeout: 8_000 }).toBe('transfer · 1 call');
    expect(await page.locator('#diagram [data-step="main"] .meta').textContent()).toBe('menu · 2 calls');

    // The call is recorded: recent calls and its trace.
    await server!.store.flush();
    await page.locator('[data-tab="recent"]').click();
    await page.locator('#tab-recent .outcome.transferred').waitFor({ timeout: 5_000 }).catch(async (error: unknown) => {
      throw new Error(`${String(error)}\nrecent calls: ${await page.locator('#tab-recent').innerText()}\n${JSON.stringify(server!.store.recentCalls())}`);
    });
    await page.locator('#tab-recent button', { hasText: 'Trace' }).first().click();
    await page.locator('#trace li', { hasText: 'entered sales (transfer)' }).waitFor();
    await page.locator('[data-tab="stats"]').click();
    await page.locator('#tab-stats .kpi', { hasText: 'transferred' }).waitFor({ timeout: 5_000 });
    await page.locator('#tab-stats td', { hasText: 'v1' }).first().waitFor();
    await page.screenshot({ path: join(RESULTS, 'dashboard-stats.png'), fullPage: true });
    await page.locator('[data-tab="live"]').click();

    await page.screenshot({ path: join(RESULTS, 'dashboard.png') });
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('edits and publishes a flow, shows errors at their line, and manages hours overrides', async (ctx) => {
    if (!available) {
      if (required) throw new Error(`TOUCHTONE_REQUIRE_BROWSER is set but \`${CHROMIUM}\` is missing.`);
      ctx.skip();
      return;
    }
    const page = await openDashboard();
    await page.locator('.flow-item', { hasText: 'acme-hotline' }).waitFor();
    await page.locator('[data-tab="source"]').click();
    await expect.poll(() => page.locator('#source').inputValue()).toContain('flow: acme-hotline');
    const source = await page.locator('#source').inputValue();

    await page.locator('#source').fill(source.replace('"1": balance', '"1": balanse'));
    await page.locator('#validate').click();
    await page.locator('#source-result .problem.error', { hasText: 'unknown-step' }).waitFor();
    expect(await page.locator('#source-result .problem.error code').first().textContent()).toMatch(/^line \d+:\d+$/);
    await page.locator('#publish').click();
    await page.locator('#source-result .problem.error', { hasText: 'unknown-step' }).waitFor();
    await expect.poll(() => page.locator('#flow-badge').textContent()).toBe('version 1');

    await page.locator('#source').fill(source.replace('Welcome to ACME.', 'Welcome to ACME, the friendly company.'));
    await page.locator('#publish-note').fill('friendlier welcome');
    await page.locator('#publish').click();
    await page.locator('#source-result .problem.ok', { hasText: 'Published as version 2' }).waitFor();
    await expect.poll(() => page.locator('#flow-badge').textContent()).toBe('version 2');
    await page.locator('[data-tab="versions"]').click();
    await page.locator('#tab-versions tr', { hasText: 'friendlier welcome' }).waitFor();
    // The diagram of the old version keeps the traffic it had.
    await page.locator('#graph-version').selectOption('1');
    await expect.poll(() => page.locator('#diagram [data-step="sales"] .meta').textContent()).toBe('transfer · 1 call');
    await page.locator('#graph-version').selectOption('');
    await expect.poll(() => page.locator('#diagram [data-step="sales"] .meta').textContent()).toBe('transfer · 0 calls');

    // A canary: a share of new calls, then stopped.
    await page.locator('[data-tab="source"]').click();
    await page.locator('#source').fill(source.replace('Welcome to ACME.', 'Hi, this is ACME.'));
    await page.locator('#canary-percent').fill('25');
    await page.locator('#canary').click();
    await page.locator('#canary-box', { hasText: 'canary v3 · 25% of new calls' }).waitFor();
    await page.locator('#canary-box button', { hasText: 'Stop' }).click();
    await expect.poll(() => page.locator('#canary-box').isHidden()).toBe(true);

    await page.locator('[data-tab="admin"]').click();
    await page.locator('#ov-hours').fill('office');
    await page.locator('#ov-state').selectOption('closed');
    await page.locator('#ov-reason').fill('staff outing');
    await page.locator('#override-form button[type=submit]').click();
    await page.locator('#overrides tr', { hasText: 'staff outing' }).waitFor();
    await page.locator('#overrides tr', { hasText: 'staff outing' }).locator('button', { hasText: 'Clear' }).click();
    await page.locator('#overrides', { hasText: 'No override' }).waitFor();
    await page.screenshot({ path: join(RESULTS, 'dashboard-edit.png') });
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
    await page.close();
  }, 60_000);
});
