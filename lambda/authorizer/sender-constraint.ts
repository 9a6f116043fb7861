// Holds a verified token to its binding (RFC 7800 `cnf`): a DPoP-bound token (`cnf.jkt`, RFC 9449) must come
// as `Authorization: DPoP` with one valid, unused proof from its key; a certificate-bound token
// (`cnf["x5t#S256"]`, RFC 8705) with the client certificate it names; a token of an issuer that requires
// DPoP must be DPoP-bound; any other confirmation method is refused, since accepting it as a bearer token
// would undo the binding. With server nonces on, a good proof without a valid nonce is answered with a new one
// (NonceChallengeError) before it is recorded. Plain bearer tokens pass untouched.
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import type { AuthorizerConfig } from './config';
import type { AuthScheme } from './credentials';
import { verifyDpopProof, isThumbprint } from './dpop';
import { readProofRequest } from './dpop-request';
import type { DpopNonces } from './dpop-nonce';
import { proofKey, type ReplayStore } from './dpop-replay';
import type { AuthorizerEvent } from './event';
import { TokenRejectedError } from './errors';
import { checkCertificateBinding } from './mtls';

export interface BindingInput {
  readonly event: AuthorizerEvent;
  readonly scheme: AuthScheme;
  readonly token: string;
  /** The verified token's claims. */
  readonly payload: JwtPayload;
  /**
   * The trusted issuer the token is from, as configured: Cognito's multi-Region `iss` is known by the pool's
   * regional issuer, as everywhere else (keys, revocation, context).
   */
  readonly issuer: string;
  readonly nowSeconds: number;
}

/**
 * What the binding check found: `dpop` for a DPoP-bound token with a good proof, `mtls` for a
 * certificate-bound token with its certificate, both for a token bound both ways, null for a bearer token.
 */
export type Binding = 'dpop' | 'mtls' | 'dpop+mtls' | null;

const CONFIRMATION_METHODS = new Set(['jkt', 'x5t#S256']);

interface Confirmation {
  readonly jkt: string | undefined;
  readonly x5t: string | undefined;
}

/** `cnf[name]`: undefined, or a thumbprint (base64url SHA-256); anything else is an invalid claim. */
function thumbprintMember(cnf: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = cnf[name];
  if (value === undefined || isThumbprint(value)) return value;
  throw new TokenRejectedError('INVALID_CLAIM', `cnf.${name} must be a base64url SHA-256 thumbprint`);
}

/** The token's `cnf.jkt` and `cnf["x5t#S256"]`; throws for a `cnf` this authorizer cannot honour. */
function confirmation(payload: JwtPayload): Confirmation {
  const cnf = payload.cnf;
  if (cnf === undefined) return { jkt: undefined, x5t: undefined };
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)) {
    throw new TokenRejectedError('INVALID_CLAIM', 'cnf must be an object');
  }
  for (const method of Object.keys(cnf)) {
    if (!CONFIRMATION_METHODS.has(method)) {
      throw new TokenRejectedError(
        'UNSUPPORTED_BINDING',
        `cnf names a confirmation method this resource cannot check (${JSON.stringify(method).slice(0, 40)})`,
      );
    }
  }
  const members = cnf as Record<string, unknown>;
  const jkt = thumbprintMember(members, 'jkt');
  const x5t = thumbprintMember(members, 'x5t#S256');
  if (jkt === undefined && x5t === undefined) {
    throw new TokenRejectedError('INVALID_CLAIM', 'cnf names no confirmation method');
  }
  return { jkt, x5t };
}

/** `nonces`: the server nonces every proof must carry (DPOP_NONCES), or undefined when they are off. */
export function createBindingCheck(config: AuthorizerConfig, replay: ReplayStore, nonces?: DpopNonces) {
  const required = new Set(config.dpop.requiredIssuers);
  const { proofMaxAgeSeconds } = config.dpop;
  return {
    /** Throws TokenRejectedError for a binding that does not hold; settles synchronously for bearer tokens. */
    check(input: BindingInput): Binding | Promise<Binding> {
      const { event, scheme, token, payload, issuer, nowSeconds } = input;
      const { jkt, x5t } = confirmation(payload);
      // The certificate first: it needs no I/O, and a token bound both ways must pass both checks.
      if (x5t !== undefined) checkCertificateBinding(event, x5t);
      if (jkt === undefined) {
        if (scheme === 'DPoP') {
          throw new TokenRejectedError('DPOP_TOKEN_NOT_BOUND', 'a DPoP-scheme token must carry cnf.jkt');
        }
        if (required.has(issuer)) {
          throw new TokenRejectedError('DPOP_REQUIRED', "this issuer's tokens must be DPoP-bound");
        }
        return x5t === undefined ? null : 'mtls';
      }
      if (event.type !== 'REQUEST') {
        throw new TokenRejectedError(
          'DPOP_NEEDS_REQUEST_EVENT',
          'a DPoP-bound token reached a TOKEN authorizer, which cannot see the proof: deploy a REQUEST ' +
            'authorizer with caching off (the construct does this when dpop is set)',
        );
      }
      if (scheme !== 'DPoP') {
        throw new TokenRejectedError(
          'DPOP_BOUND_TOKEN_AS_BEARER',
          'a DPoP-bound token must be sent as "DPoP"',
        );
      }
      const request = readProofRequest(event);
      if (request.proofs.length === 0) throw new TokenRejectedError('DPOP_MISSING_PROOF', 'no DPoP header');
      if (request.proofs.length > 1 || typeof request.proofs[0] !== 'string') {
        throw new TokenRejectedError('DPOP_MALFORMED_PROOF', 'more than one DPoP header');
      }
      const proof = verifyDpopProof(request.proofs[0], {
        method: request.method,
        url: request.url,
        accessToken: token,
        jkt,
        nowSeconds,
        maxAgeSeconds: proofMaxAgeSeconds,
        clockSkewSeconds: config.clockSkewSeconds,
      });
      const record = (): Binding | Promise<Binding> => {
        // Kept until the proof is stale anyway: then its iat alone refuses it.
        const recorded = replay.record(
          proofKey(proof.jkt, proof.jti),
          proof.iat + proofMaxAgeSeconds + 1,
          nowSeconds,
        );
        const bound: Binding = x5t === undefined ? 'dpop' : 'dpop+mtls';
        return recorded instanceof Promise ? recorded.then(() => bound) : bound;
      };
      // A proof answered with a nonce is not recorded: the client signs a new one (a new jti) with it.
      const nonced = nonces?.check(proof.nonce, nowSeconds);
      return nonced instanceof Promise ? nonced.then(record) : record();
    },
  };
}

export type BindingCheck = ReturnType<typeof createBindingCheck>;
