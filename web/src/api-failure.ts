// What the app tells the user when the API refuses a call. Pure, so the wording is tested without a browser.
// 401: the token is gone or no good, so sign in again; for a DPoP-bound token, name the DPoP error and say
// that the proof may be what was refused. 403: name the scope that is missing, taken from the API's own
// answer when it names one, else from the route table the API is built from.
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
  /** The DPoP-Nonce header (RFC 9449 §9), or null when there is none or CORS does not expose it. */
  readonly dpopNonce: string | null;
}

export interface FailedCall {
  /** What the user tried, for the message ("add an item"). */
  readonly action: string;
  readonly method: string;
  /** The resource path template, as in the route table ("/items/{id}"). */
  readonly path: string;
  /** How the token went with the request: `DPoP` with a proof (RFC 9449 §7.1), or `Bearer`. */
  readonly scheme: 'Bearer' | 'DPoP';
}

export type FailureKind = 'sign-in-again' | 'missing-scope' | 'retry' | 'other';

export interface FailureMessage {
  readonly kind: FailureKind;
  readonly text: string;
  /** For 'missing-scope': the scopes the call needs that the token lacks. */
  readonly missingScopes?: readonly string[];
}

export const SESSION_EXPIRED = 'Your session expired or is no longer valid. Sign in again.';

/** One challenge of a WWW-Authenticate header: the scheme in lower case, parameter names in lower case. */
export interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN = "[-!#$%&'*+.^_`|~0-9A-Za-z]+";
const PARAM = new RegExp(String.raw`^(${TOKEN})[ \t]*=[ \t]*(?:"((?:[^"\\]|\\[\s\S])*)"|(${TOKEN}))`);
const SCHEME = new RegExp(String.raw`^(${TOKEN})(?=[ \t,]|$)`);

/**
 * The challenges of a WWW-Authenticate header (RFC 9110 §11.6.1: `scheme name=value, name="quoted"`, several
 * challenges separated by commas). Parsing stops at the first thing that is neither, so a malformed header
 * yields the challenges before it and never throws.
 */
export function parseChallenges(header: string | null): Challenge[] {
  const challenges: { scheme: string; params: Record<string, string> }[] = [];
  let rest = header ?? '';
  for (;;) {
    rest = rest.replace(/^[ \t,]+/, '');
    if (rest === '') return challenges;
    const current = challenges.at(-1);
    const param = current === undefined ? null : PARAM.exec(rest);
    if (current !== undefined && param !== null) {
      const [all, name = '', quoted, plain] = param;
      // First one wins: a repeated parameter must not override what was read (RFC 9110 §11.2).
      current.params[name.toLowerCase()] ??=
        quoted === undefined ? (plain ?? '') : quoted.replace(/\\(.)/gs, '$1');
      rest = rest.slice(all.length);
      continue;
    }
    const scheme = SCHEME.exec(rest);
    if (scheme === null) return challenges;
    // No prototype: a parameter the server names `constructor` or `__proto__` is a parameter like any other.
    challenges.push({
      scheme: (scheme[1] ?? '').toLowerCase(),
      params: Object.create(null) as Record<string, string>,
    });
    rest = rest.slice(scheme[0].length);
  }
}

/** The `scope` parameter of the API's challenge (RFC 6750 §3), if the server named one. */
function challengeScopes(wwwAuthenticate: string | null): string[] | undefined {
  const scope = parseChallenges(wwwAuthenticate).find((c) => c.params.scope !== undefined)?.params.scope;
  return scope?.split(' ').filter((s) => s !== '');
}

function list(scopes: readonly string[]): string {
  return scopes.length === 0 ? '(none)' : scopes.join(', ');
}

/**
 * A refusal that concerns DPoP: a DPoP challenge with an error after a call with a proof (RFC 9449 §7.1),
 * or a 401 that offers only the DPoP scheme to a bearer call. undefined: anything else.
 */
function describeDpopRefusal(failure: ApiFailure, call: FailedCall): FailureMessage | undefined {
  const challenges = parseChallenges(failure.wwwAuthenticate);
  const dpop = challenges.find((c) => c.scheme === 'dpop');
  if (call.scheme === 'Bearer') {
    if (failure.status !== 401 || dpop === undefined || challenges.some((c) => c.scheme === 'bearer')) {
      return undefined;
    }
    return {
      kind: 'other',
      text:
        `Could not ${call.action}: the API accepts only DPoP-bound tokens, and this app sent a bearer token. ` +
        'Its configuration has DPoP off (start the local stack with DPOP=1).',
    };
  }
  const error = dpop?.params.error;
  if (error === undefined) return undefined;
  const described = `DPoP error "${error}"${dpop?.params.error_description ? `: ${dpop.params.error_description}` : ''}`;
  if (error === 'use_dpop_nonce') {
    // The one retry with the server's nonce has been made (dpop-key.ts) when this is shown.
    return failure.dpopNonce === null
      ? {
          kind: 'other',
          text:
            `Could not ${call.action}: the API asks for a DPoP nonce (${described}), but this page cannot read ` +
            'its DPoP-Nonce header. The API must expose it to the browser (Access-Control-Expose-Headers).',
        }
      : {
          kind: 'retry',
          text: `Could not ${call.action}: the API asked for a DPoP nonce again after the retry that carried its nonce (${described}). Try again.`,
        };
  }
  if (failure.status !== 401 && error !== 'invalid_dpop_proof') return undefined;
  return {
    kind: 'sign-in-again',
    text:
      `The API refused your sign-in or the proof of possession this browser signed for it ` +
      `(${failure.status}, ${described}). Sign in again: that makes a new key and token.`,
  };
}

export function describeFailure(
  failure: ApiFailure,
  call: FailedCall,
  routes: readonly RouteRule[],
  grantedScopes: readonly string[],
): FailureMessage {
  const dpop = describeDpopRefusal(failure, call);
  if (dpop !== undefined) return dpop;
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
