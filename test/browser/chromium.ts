// Debian's Chromium for the browser tests, driven by playwright-core (which never downloads a browser).
// Present: launch it with the flags this machine needs. Missing: skip loudly on a developer machine, fail in CI.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Where .ci/run installs it (Debian package `chromium`); CHROMIUM_PATH overrides. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH?.trim() || '/usr/bin/chromium';

export type ChromiumAvailability =
  | { readonly kind: 'present' }
  | { readonly kind: 'skip'; readonly reason: string }
  | { readonly kind: 'fail'; readonly reason: string };

export function chromiumAvailability(env: NodeJS.ProcessEnv = process.env): ChromiumAvailability {
  if (existsSync(CHROMIUM_PATH)) return { kind: 'present' };
  const reason =
    `Chromium not found at ${CHROMIUM_PATH}: the browser tests need Debian's chromium package ` +
    '(apt-get install chromium; .ci/run installs it).';
  return env.CI === 'true' ? { kind: 'fail', reason } : { kind: 'skip', reason };
}

export interface LaunchedBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<LaunchedBrowser> {
  // A fresh profile per run, removed afterwards.
  const profile = mkdtempSync(join(tmpdir(), 'bearer-gate-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    // The local issuer's certificate is a throwaway made at each start; a person accepts it once in the
    // browser, the test tells Chromium to accept it. Nothing but 127.0.0.1 is ever contacted.
    ignoreHTTPSErrors: true,
    viewport: { width: 900, height: 640 },
    // This machine's network is closed: without the background-networking flags Chromium keeps trying
    // Google's hosts. --no-sandbox because tests may run as root.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
