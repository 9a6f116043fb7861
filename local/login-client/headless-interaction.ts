// Plays the browser for the local issuer: follows the authorization redirects, fills in its login and
// consent forms (marked with data-step), and returns the redirect back to the client with the code.
import { LocalStackError } from '../errors';
import { send } from './trusted-http';

export interface HeadlessOptions {
  readonly username: string;
  readonly password: string;
  /** The issuer's certificate (PEM) to trust. */
  readonly ca: string | null;
  /**
   * Stop at a redirect to this URL prefix and return it without requesting it. Without it, the redirect to
   * the client's loopback listener is followed like a browser would, and its URL is returned.
   */
  readonly stopAt?: string;
}

const MAX_STEPS = 20;

class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(setCookie: string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq);
      const expired = attributes.some((a) => {
        const [key = '', value = ''] = a.split('=');
        if (key.toLowerCase() === 'max-age') return Number(value) <= 0;
        if (key.toLowerCase() === 'expires') return Date.parse(value) <= Date.now();
        return false;
      });
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1));
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/** The action of the form marked `data-step="<step>"`, if the page has one. */
export function formAction(html: string, step: string): string | undefined {
  for (const tag of html.match(/<form\b[^>]*>/gi) ?? []) {
    if (!new RegExp(`\\bdata-step="${step}"`).test(tag)) continue;
    const action = /\baction="([^"]*)"/.exec(tag)?.[1];
    return action
      ?.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)))
      .replace(/&amp;/g, '&');
  }
  return undefined;
}

function pageError(html: string): string {
  const alert = /<p class="error" role="alert">([^<]*)<\/p>/.exec(html)?.[1];
  return (alert ?? html.slice(0, 200)).replace(/&#(\d+);/g, (_m, code: string) =>
    String.fromCharCode(Number(code)),
  );
}

export async function completeInteraction(authorizeUrl: string, options: HeadlessOptions): Promise<string> {
  const jar = new CookieJar();
  let url = authorizeUrl;
  let method = 'GET';
  let body: string | undefined;
  let loggedIn = false;
  for (let step = 0; step < MAX_STEPS; step += 1) {
    if (options.stopAt !== undefined && url.startsWith(options.stopAt)) return url;
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = jar.header();
    if (cookie !== '') headers.cookie = cookie;
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await send(url, { method, headers, body, ca: options.ca });
    const setCookie = response.headers['set-cookie'];
    jar.store(setCookie);

    const location = response.headers.location;
    if (response.status >= 300 && response.status < 400 && location) {
      url = new URL(location, url).href;
      method = 'GET';
      body = undefined;
      continue;
    }
    // The loopback listener answered: the code has been delivered to the client.
    if (new URL(url).protocol === 'http:' && response.status < 400) return url;

    const html = response.body.toString('utf8');
    if (response.status === 401)
      throw new LocalStackError('LOGIN_FAILED', `login refused: ${pageError(html)}`);
    const login = formAction(html, 'login');
    const consent = formAction(html, 'consent');
    if (response.status === 200 && login !== undefined && !loggedIn) {
      loggedIn = true;
      url = new URL(login, url).href;
      method = 'POST';
      body = new URLSearchParams({ username: options.username, password: options.password }).toString();
      continue;
    }
    if (response.status === 200 && consent !== undefined) {
      url = new URL(consent, url).href;
      method = 'POST';
      body = '';
      continue;
    }
    throw new LocalStackError(
      'LOGIN_FAILED',
      `unexpected page from ${new URL(url).origin} (${response.status}): ${pageError(html)}`,
    );
  }
  throw new LocalStackError('LOGIN_FAILED', `no redirect back to the client after ${MAX_STEPS} steps`);
}
