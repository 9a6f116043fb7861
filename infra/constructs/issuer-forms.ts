// Issuer identifiers whose exact form is known for a provider: Auth0 and Entra ID v1 write `iss` with a trailing
// slash, Cognito, Entra ID v2 and Okta without one. The authorizer compares `iss` (and discovery's `issuer`)
// exactly, so a slash too many or too few refuses every token at run time; the construct warns at synth.
// CDK-free and dependency-free.

interface IssuerForm {
  readonly provider: string;
  /** The host (and path, for multi-tenant hosts) this form is for. */
  readonly matches: (url: URL) => boolean;
  readonly trailingSlash: boolean;
}

const FORMS: readonly IssuerForm[] = [
  {
    provider: 'Auth0',
    // Tenant domains: `<tenant>.auth0.com`, `<tenant>.<region>.auth0.com`; the issuer is the domain alone.
    matches: (url) => /\.auth0\.com$/i.test(url.hostname) && /^\/?$/.test(url.pathname),
    trailingSlash: true,
  },
  {
    provider: 'Entra ID (v1.0 tokens)',
    matches: (url) => url.hostname === 'sts.windows.net' && /^\/[^/]+\/?$/.test(url.pathname),
    trailingSlash: true,
  },
  {
    provider: 'Entra ID (v2.0 tokens)',
    matches: (url) => url.hostname === 'login.microsoftonline.com' && /\/v2\.0\/?$/.test(url.pathname),
    trailingSlash: false,
  },
  {
    provider: 'Cognito',
    matches: (url) => /^cognito-idp\.[a-z0-9-]+\.amazonaws\.com$/i.test(url.hostname),
    trailingSlash: false,
  },
  {
    provider: 'Okta',
    matches: (url) => /\.(okta|oktapreview)\.com$/i.test(url.hostname),
    trailingSlash: false,
  },
];

/**
 * Why an issuer identifier is not the form its provider writes in `iss`, with the form it writes; undefined
 * when it is, or the provider is not one whose form is known (a custom domain, any other issuer).
 */
export function issuerFormMismatch(issuer: string): { provider: string; expected: string } | undefined {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return undefined;
  }
  const form = FORMS.find((f) => f.matches(url));
  if (form === undefined) return undefined;
  const endsWithSlash = issuer.endsWith('/');
  if (endsWithSlash === form.trailingSlash) return undefined;
  return {
    provider: form.provider,
    expected: form.trailingSlash ? `${issuer}/` : issuer.replace(/\/+$/, ''),
  };
}
