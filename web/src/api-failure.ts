// What the app tells the user when the API refuses a call. Pure, so the wording is tested without a browser.
// 401: the token is gone or no good, so sign in again. 403: name the scope that is missing, taken from the
// API's own answer when it names one, else from the route table the API is built from.
import type { RouteRule } from './app-config';

/** An RFC 9457 problem body as the gateway and the items handlers send it. */
export interface Problem {
  readonly code?: string;
  readonly title?: string;
  readonly detail?: string;
}

export interface ApiFailure {
  readonly status: number;
  /** The application/problem+json body, when there was one. */
  readonly problem: Problem | undefined;
  /** The WWW-Authenticate header (exposed to the app through CORS), or null. */
  readonly wwwAuthenticate: string | null;
  readonly retryAfter: string | null;
}

export interface FailedCall {
  /** What the user tried, for the message ("add an item"). */
  readonly action: string;
  readonly method: string;
  /** The resource path template, as in the route table ("/items/{id}"). */
  readonly path: string;
}

export type FailureKind = 'sign-in-again' | 'missing-scope' | 'retry' | 'other';

export interface FailureMessage {
  readonly kind: FailureKind;
  readonly text: string;
  /** For 'missing-scope': the scopes the call needs that the token lacks. */
  readonly missingScopes?: readonly string[];
}

export const SESSION_EXPIRED = 'Your session expired or is no longer valid. Sign in again.';

/** The `scope` parameter of a Bearer challenge (RFC 6750 §3), if the server named one. */
export function challengeScopes(wwwAuthenticate: string | null): string[] | undefined {
  const match = wwwAuthenticate === null ? null : /\bscope="([^"]*)"/.exec(wwwAuthenticate);
  if (!match || match[1] === undefined) return undefined;
  return match[1].split(' ').filter((s) => s !== '');
}

function list(scopes: readonly string[]): string {
  return scopes.length === 0 ? '(none)' : scopes.join(', ');
}

export function describeFailure(
  failure: ApiFailure,
  call: FailedCall,
  routes: readonly RouteRule[],
  grantedScopes: readonly string[],
): FailureMessage {
  if (failure.status === 401) return { kind: 'sign-in-again', text: SESSION_EXPIRED };
  if (failure.status === 403) {
    // The handler's 403 names the route's scopes in its challenge; the gateway's 403 (the authorizer's
    // policy) does not, so the route table, the same one the policy was built from, says what is required.
    const required =
      challengeScopes(failure.wwwAuthenticate) ??
      routes.find((r) => r.method === call.method && r.path === call.path)?.scopes;
    const granted = new Set(grantedScopes);
    const missing = (required ?? []).filter((s) => !granted.has(s));
    if (missing.length > 0) {
      return {
        kind: 'missing-scope',
        text:
          `You may not ${call.action}: it needs the scope ${list(missing)}, which your sign-in does not hold ` +
          `(you hold: ${list(grantedScopes)}). Sign in as a user who has it.`,
        missingScopes: missing,
      };
    }
    // Nothing the app can name is missing (e.g. the token changed under it): say what the API said.
    return {
      kind: 'other',
      text: `You may not ${call.action} (403 ${failure.problem?.code ?? 'Forbidden'}): ${failure.problem?.detail ?? 'access denied'}`,
    };
  }
  if (failure.status === 503 && failure.retryAfter !== null) {
    return {
      kind: 'retry',
      text: `Could not ${call.action}: the API cannot check sign-ins right now. Retry in ${failure.retryAfter} s.`,
    };
  }
  const reason = failure.problem?.detail ?? failure.problem?.title ?? 'unexpected answer';
  return {
    kind: 'other',
    text: `Could not ${call.action} (${failure.status}${failure.problem?.code ? ` ${failure.problem.code}` : ''}): ${reason}`,
  };
}
