// The local issuer's login and consent pages: plain HTML forms, so a person, a browser test and the
// headless login client all drive the same thing. `data-step` marks each form for the headless client.

export type InteractionStep = 'login' | 'consent';

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}
label{display:block;margin:.75rem 0}input{display:block;width:100%;padding:.4rem}
button{margin-top:1rem;padding:.5rem 1rem}.error{color:#b00020}code{background:#eee;padding:0 .2rem}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>`;
}

export function loginPage(uid: string, clientId: string, error?: string): string {
  const action = `/interaction/${encodeURIComponent(uid)}/login`;
  return page(
    'Sign in to the local issuer',
    `<p><code>${escapeHtml(clientId)}</code> asks you to sign in. Demo users are listed in docs/local-loop.md.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}" data-step="login">
<label>Username <input name="username" autocomplete="username" required autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>`,
  );
}

export function consentPage(
  uid: string,
  clientId: string,
  username: string,
  granted: readonly string[],
  refused: readonly string[],
): string {
  const action = `/interaction/${encodeURIComponent(uid)}/confirm`;
  const abort = `/interaction/${encodeURIComponent(uid)}/abort`;
  const list = (scopes: readonly string[]): string =>
    scopes.length === 0
      ? '<p>(none)</p>'
      : `<ul>${scopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join('')}</ul>`;
  return page(
    'Allow access?',
    `<p>Signed in as <strong>${escapeHtml(username)}</strong>. <code>${escapeHtml(clientId)}</code> will be granted:</p>
${list(granted)}
${refused.length > 0 ? `<p>Requested but not allowed for this user (not granted):</p>${list(refused)}` : ''}
<form method="post" action="${escapeHtml(action)}" data-step="consent"><button type="submit">Allow</button></form>
<form method="post" action="${escapeHtml(abort)}" data-step="abort"><button type="submit">Deny</button></form>`,
  );
}

export function errorPage(message: string): string {
  return page('Something went wrong', `<p class="error" role="alert">${escapeHtml(message)}</p>`);
}

/**
 * RP-initiated logout's confirmation. `form` is oidc-provider's own form (id `op.logoutForm`, with its
 * anti-forgery field); the buttons submit it, and `logout=yes` ends the session.
 */
export function logoutPage(form: string): string {
  return page(
    'Sign out of the local issuer?',
    `${form}
<div data-step="logout">
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>
</div>`,
  );
}

/** Shown after a logout that names no post_logout_redirect_uri. */
export function loggedOutPage(): string {
  return page('Signed out', '<p>You are signed out of the local issuer.</p>');
}
