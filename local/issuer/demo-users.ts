// The local issuer's demo users and the scopes each may hold. Passwords are public (docs/local-loop.md): this
// provider exists only on 127.0.0.1 for trying the flow, never for protecting anything.
import { timingSafeEqual } from 'node:crypto';

export interface DemoUser {
  readonly username: string;
  readonly password: string;
  /** The `sub` claim. */
  readonly subject: string;
  /** The most this user may be granted; a request for more is granted only this subset. */
  readonly allowedScopes: readonly string[];
}

export const ITEMS_SCOPES = Object.freeze(['items:read', 'items:write', 'items:delete']);
/** For the admin route of token revocation. */
export const ADMIN_SCOPES = Object.freeze(['tokens:revoke']);
/** Every scope the local API accepts: the resource server's scope list. */
export const API_SCOPES = Object.freeze([...ITEMS_SCOPES, ...ADMIN_SCOPES]);

export const DEMO_USERS: readonly DemoUser[] = Object.freeze([
  { username: 'alice', password: 'alice-password', subject: 'alice', allowedScopes: ITEMS_SCOPES },
  { username: 'bob', password: 'bob-password', subject: 'bob', allowedScopes: ['items:read'] },
  {
    username: 'admin',
    password: 'admin-password',
    subject: 'admin',
    allowedScopes: ['items:read', ...ADMIN_SCOPES],
  },
]);

/**
 * A machine client (OAuth client credentials): no user, so its permissions arrive in a `roles` claim, as
 * Entra ID's app roles do for app-only tokens. The local authorizer reads `roles` for the local issuer.
 */
export interface DemoService {
  readonly clientId: string;
  /** Public, like the demo passwords: this provider exists only on 127.0.0.1. */
  readonly clientSecret: string;
  /** What the access token's `roles` claim carries. */
  readonly roles: readonly string[];
}

export const DEMO_SERVICES: readonly DemoService[] = Object.freeze([
  { clientId: 'local-service', clientSecret: 'local-service-secret', roles: ['items:read'] },
]);

/** The claim the local issuer puts a service's roles in, and the local authorizer's PERMISSION_CLAIMS. */
export const SERVICE_ROLES_CLAIM = 'roles';

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The user whose username and password both match, or undefined. */
export function authenticate(username: string, password: string, users = DEMO_USERS): DemoUser | undefined {
  const user = users.find((u) => u.username === username);
  return user && sameText(user.password, password) ? user : undefined;
}

export function findUserBySubject(subject: string, users = DEMO_USERS): DemoUser | undefined {
  return users.find((u) => u.subject === subject);
}

/** What the user is granted out of what was requested, and what is refused. */
export function splitScopes(
  user: DemoUser,
  requested: readonly string[],
): { granted: string[]; refused: string[] } {
  const allowed = new Set(user.allowedScopes);
  return {
    granted: requested.filter((s) => allowed.has(s)),
    refused: requested.filter((s) => !allowed.has(s)),
  };
}
