// The browser app end to end in headless Chromium (Debian's package, driven by playwright-core): `npm start`
// as a child process, the real login form of the local OpenID provider, the real gateway, authorizer, items
// handlers and DynamoDB Local. Nothing is mocked. A screenshot of each step goes to test-artifacts/browser/.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { startStack, type StackProcess } from '../e2e/stack-process';
import { chromiumAvailability, launchChromium, type LaunchedBrowser } from './chromium';

const availability = chromiumAvailability();
const ARTIFACTS = resolve(__dirname, '..', '..', 'test-artifacts', 'browser');

if (availability.kind === 'skip') {
  // Loud on purpose: a skipped browser test must never pass unnoticed.
  process.stderr.write(`\n\n*** BROWSER TESTS SKIPPED *** ${availability.reason}\n\n`);
}

const describeInBrowser = availability.kind === 'skip' ? describe.skip : describe;

jest.setTimeout(90_000);

describeInBrowser('the browser app in headless Chromium', () => {
  let stack: StackProcess | undefined;
  let launched: LaunchedBrowser | undefined;
  let page: Page;
  let app: string;

  async function shot(name: string): Promise<void> {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  async function signIn(username: string, password: string): Promise<void> {
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The provider's own pages: the login form, then consent.
    await page.locator('form[data-step="login"]').waitFor();
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await shot(`${username}-1-login-form`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('form[data-step="consent"]').waitFor();
    await shot(`${username}-2-consent`);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${app}/`);
    await page.getByTestId('who').getByText(`Signed in as ${username}`).waitFor();
  }

  beforeAll(async () => {
    if (availability.kind === 'fail') throw new Error(availability.reason);
    mkdirSync(ARTIFACTS, { recursive: true });
    stack = await startStack({ APP_PORT: '0', ITEMS_TABLE: 'items-browser', LOG_LEVEL: 'warn' });
    if (stack.info.app === null) throw new Error('the stack serves no app');
    app = stack.info.app;
    launched = await launchChromium();
    page = await launched.context.newPage();
  }, 120_000);

  afterAll(async () => {
    await launched?.close();
    await stack?.cleanup();
  });

  test('npm start prints the app line, and the API allows that origin and no other', async () => {
    expect(stack?.output()).toMatch(new RegExp(`^app: ${app.replace(/[.:/]/g, '\\$&')}$`, 'm'));
    const preflight = await fetch(`${stack?.info.api}/items`, {
      method: 'OPTIONS',
      headers: { Origin: app, 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(app);
    const refused = await fetch(`${stack?.info.api}/items`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(app);
  });

  test('alice signs in through the login form, lists, adds and deletes an item, and signs out', async () => {
    await page.goto(app);
    await page.locator('body[data-ready="true"]').waitFor();
    await shot('0-signed-out');

    await signIn('alice', 'alice-password');
    await expect(page.getByTestId('scopes').textContent()).resolves.toBe(
      'Scopes: items:read items:write items:delete',
    );
    await page.getByText('No items yet.').waitFor();
    // The token lives in memory only: after sign-in nothing is left in either storage.
    await expect(
      page.evaluate('[localStorage.length, sessionStorage.length, document.cookie]'),
    ).resolves.toEqual([0, 0, '']);
    await shot('alice-3-signed-in-empty-list');

    await page.getByLabel('New item').fill('buy milk');
    await page.getByRole('button', { name: 'Add' }).click();
    await page.getByTestId('items').getByText('buy milk').waitFor();
    await expect(page.getByTestId('message').textContent()).resolves.toBe('Added “buy milk”.');
    await shot('alice-4-item-added');

    await page.getByRole('button', { name: 'Delete buy milk' }).click();
    await page.getByText('No items yet.').waitFor();
    await expect(page.getByTestId('items').locator('li').count()).resolves.toBe(0);
    await expect(page.getByTestId('message').textContent()).resolves.toBe('Deleted “buy milk”.');
    await shot('alice-5-item-deleted');

    // Sign-out ends the provider's session too (RP-initiated logout), then comes back to the app.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('[data-step="logout"]').waitFor();
    await shot('alice-6-provider-logout');
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(`${app}/`);
    await page.locator('body[data-ready="true"]').waitFor();
    await expect(page.getByTestId('who').textContent()).resolves.toBe('Not signed in.');
    await shot('alice-7-signed-out');
  });

  test('bob signs in (the login form again, so alice is really signed out) and may not add', async () => {
    await signIn('bob', 'bob-password');
    await expect(page.getByTestId('scopes').textContent()).resolves.toBe('Scopes: items:read');
    await page.getByText('No items yet.').waitFor();

    await page.getByLabel('New item').fill('not allowed');
    await page.getByRole('button', { name: 'Add' }).click();
    const message = page.getByTestId('message');
    await message.getByText('You may not add an item').waitFor();
    await expect(message.textContent()).resolves.toBe(
      'You may not add an item: it needs the scope items:write, which your sign-in does not hold ' +
        '(you hold: items:read). Sign in as a user who has it.',
    );
    await expect(message.getAttribute('data-kind')).resolves.toBe('missing-scope');
    await shot('bob-3-add-refused-403');
    // Still signed in: a 403 is not a reason to drop the session.
    await expect(page.getByTestId('who').textContent()).resolves.toBe('Signed in as bob');
  });
});

if (availability.kind === 'skip') {
  test('browser tests skipped: Chromium is missing (see the message above)', () => {
    expect(availability.kind).toBe('skip');
  });
}
