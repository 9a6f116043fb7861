// The local issuer's users and pages, and the headless client's reading of those pages.
import { API_SCOPES, DEMO_USERS, authenticate, splitScopes } from '../../local/issuer/demo-users';
import { consentPage, loginPage } from '../../local/issuer/interaction-pages';
import { formAction } from '../../local/login-client';

describe('demo users', () => {
  test.each([
    ['alice', 'alice-password', 'alice'],
    ['bob', 'bob-password', 'bob'],
    ['admin', 'admin-password', 'admin'],
    ['alice', 'bob-password', undefined],
    ['alice', '', undefined],
    ['mallory', 'x', undefined],
  ])('%s / %s -> %s', (username, password, subject) => {
    expect(authenticate(username, password)?.subject).toBe(subject);
  });

  test.each([
    ['alice', ['items:read', 'items:write', 'items:delete'], ['tokens:revoke']],
    ['bob', ['items:read'], ['items:write', 'items:delete', 'tokens:revoke']],
    ['admin', ['items:read', 'tokens:revoke'], ['items:write', 'items:delete']],
  ])('%s asking for every API scope gets %j', (username, granted, refused) => {
    const user = DEMO_USERS.find((u) => u.username === username);
    if (!user) throw new Error(`no ${username}`);
    expect(splitScopes(user, API_SCOPES)).toEqual({ granted, refused });
  });
});

describe('interaction pages', () => {
  test('the headless client finds the login and consent forms', () => {
    expect(formAction(loginPage('uid-1', 'local-cli'), 'login')).toBe('/interaction/uid-1/login');
    const consent = consentPage('uid-1', 'local-cli', 'bob', ['items:read'], ['items:write']);
    expect(formAction(consent, 'consent')).toBe('/interaction/uid-1/confirm');
    expect(formAction(consent, 'abort')).toBe('/interaction/uid-1/abort');
    expect(formAction(consent, 'login')).toBeUndefined();
  });

  test('escapes what it echoes', () => {
    const html = loginPage('u', '<script>x</script>', '"quoted" & <b>');
    expect(html).not.toContain('<script>x');
    expect(html).toContain('&#60;script&#62;x&#60;/script&#62;');
    expect(html).toContain('&#34;quoted&#34; &#38; &#60;b&#62;');
  });
});
