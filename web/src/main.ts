// The single-page app: sign in with Authorization Code + PKCE, show who is signed in and their scopes, list,
// add and delete items, and explain refusals. The session (access token included) lives only in `state`.
import { parseAppConfig, type AppConfig } from './app-config';
import { describeFailure, SESSION_EXPIRED, type FailureKind } from './api-failure';
import { ApiCallError, createItem, deleteItem, listItems, type Item } from './items-api';
import { completeSignIn, signOutAtProvider, startSignIn, type Session } from './sign-in';

const state: { config?: AppConfig; session?: Session } = {};

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`index.html has no #${id}`);
  return found as T;
}

const ui = {
  who: element<HTMLParagraphElement>('who'),
  scopes: element<HTMLParagraphElement>('scopes'),
  signIn: element<HTMLButtonElement>('sign-in'),
  signOut: element<HTMLButtonElement>('sign-out'),
  message: element<HTMLParagraphElement>('message'),
  panel: element<HTMLElement>('items-panel'),
  form: element<HTMLFormElement>('add-form'),
  name: element<HTMLInputElement>('new-name'),
  items: element<HTMLUListElement>('items'),
  empty: element<HTMLParagraphElement>('empty'),
};

function say(text: string | null, kind: FailureKind | 'info' = 'info'): void {
  ui.message.hidden = text === null;
  ui.message.textContent = text ?? '';
  ui.message.dataset.kind = kind;
}

function renderSession(): void {
  const session = state.session;
  ui.signIn.hidden = session !== undefined;
  ui.signOut.hidden = session === undefined;
  ui.panel.hidden = session === undefined;
  ui.scopes.hidden = session === undefined;
  ui.who.textContent = session ? `Signed in as ${session.subject}` : 'Not signed in.';
  ui.scopes.textContent = session ? `Scopes: ${session.scopes.join(' ') || '(none)'}` : '';
  if (!session) ui.items.replaceChildren();
}

function renderItems(items: readonly Item[]): void {
  ui.items.replaceChildren(
    ...items.map((item) => {
      const li = document.createElement('li');
      li.dataset.itemId = item.id;
      const name = document.createElement('span');
      name.textContent = item.name;
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.textContent = 'Delete';
      remove.setAttribute('aria-label', `Delete ${item.name}`);
      remove.addEventListener('click', () => void run(() => removeItem(item)));
      li.append(name, remove);
      return li;
    }),
  );
  ui.empty.hidden = items.length > 0;
}

/** Runs a user action and turns any failure into a message; a 401 also ends the in-memory session. */
async function run(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (error instanceof ApiCallError && state.config) {
      const message = describeFailure(
        error.failure,
        error.call,
        state.config.routes,
        state.session?.scopes ?? [],
      );
      if (message.kind === 'sign-in-again') {
        delete state.session;
        renderSession();
      }
      say(message.text, message.kind);
      return;
    }
    const text = error instanceof Error ? error.message : String(error);
    // fetch() rejects with a TypeError when the request never got an answer (network, CORS).
    say(error instanceof TypeError ? `Could not reach the server: ${text}` : text, 'other');
  }
}

function requireSession(): { config: AppConfig; session: Session } {
  if (!state.config || !state.session) throw new Error(SESSION_EXPIRED);
  return { config: state.config, session: state.session };
}

async function refresh(): Promise<void> {
  const { config, session } = requireSession();
  renderItems(await listItems(config.api, session));
}

async function addItem(): Promise<void> {
  const { config, session } = requireSession();
  const name = ui.name.value.trim();
  if (name === '') return;
  const item = await createItem(config.api, session, name);
  ui.name.value = '';
  say(`Added “${item.name}”.`);
  await refresh();
}

async function removeItem(item: Item): Promise<void> {
  const { config, session } = requireSession();
  await deleteItem(config.api, session, item.id);
  say(`Deleted “${item.name}”.`);
  await refresh();
}

async function main(): Promise<void> {
  const response = await fetch('/app-config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`the app server has no configuration yet (${response.status})`);
  const config = parseAppConfig(await response.json());
  state.config = config;
  const origin = location.origin;

  ui.signIn.addEventListener('click', () => void run(() => startSignIn(config, origin)));
  ui.signOut.addEventListener('click', () => {
    const session = state.session;
    delete state.session;
    renderSession();
    if (session) void run(() => signOutAtProvider(config, origin, session));
  });
  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
    void run(addItem);
  });

  if (location.pathname === '/callback') {
    const callback = new URL(location.href);
    // The code and state must not linger in the address bar or the history.
    history.replaceState(null, '', '/');
    await run(async () => {
      state.session = await completeSignIn(config, origin, callback);
      renderSession();
      say(null);
      await refresh();
    });
  }
  renderSession();
  document.body.dataset.ready = 'true';
}

main().catch((error: unknown) => {
  say(`The app could not start: ${error instanceof Error ? error.message : String(error)}`, 'other');
});
