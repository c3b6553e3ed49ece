// What a browser does against a real OpenID Connect provider (oidc-provider's development login
// and consent pages) and the app, each on its own loopback port: shared by the single sign-on suites.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => server.listen(0, '127.0.0.1', resolve).on('error', reject));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** What a browser does for us here: cookies per origin, redirects followed by hand, forms posted. */
export class Browser {
  private readonly jar = new Map<string, Map<string, string>>();

  cookieHeader(url: URL): string {
    return [...(this.jar.get(url.origin) ?? new Map<string, string>())].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  cookie(url: URL, name: string): string | undefined {
    return this.jar.get(url.origin)?.get(name);
  }

  async fetch(url: URL, form?: Record<string, string>): Promise<Response> {
    const res = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: this.cookieHeader(url), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    const cookies = this.jar.get(url.origin) ?? new Map<string, string>();
    this.jar.set(url.origin, cookies);
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const name = pair.slice(0, pair.indexOf('='));
      const expires = attributes.find((a) => /^expires=/i.test(a));
      const cleared = attributes.some((a) => /^max-age=0$/i.test(a)) || (expires !== undefined && new Date(expires.slice(8)) <= new Date());
      if (cleared) cookies.delete(name);
      else cookies.set(name, pair.slice(name.length + 1));
    }
    return res;
  }
}

/**
 * Follows the provider from its authorization URL: the login form (as `email`), the consent form,
 * until it sends the browser to the redirect URI. Returns that URL without opening it.
 */
export async function signInAtProvider(browser: Browser, authorizationUrl: URL, email: string, redirectUri: string): Promise<URL> {
  let url = authorizationUrl;
  let form: Record<string, string> | undefined;
  for (let step = 0; step < 12; step++) {
    const res = await browser.fetch(url, form);
    form = undefined;
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      url = new URL(location, url);
      if (url.href.startsWith(`${redirectUri}?`)) return url;
      continue;
    }
    const html = await res.text();
    const action = /<form[^>]*action="([^"]+)"[^>]*method="post"/.exec(html)?.[1];
    if (res.status !== 200 || !action) throw new Error(`the provider answered ${res.status}: ${html.slice(0, 500)}`);
    const fields = Object.fromEntries([...html.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    form = fields.prompt === 'login' ? { ...fields, login: email, password: 'anything: the development provider does not check it' } : fields;
    url = new URL(action.replaceAll('&amp;', '&'), url);
  }
  throw new Error('the provider never sent the browser back');
}
