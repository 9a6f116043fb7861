// Holds a verified token to its binding (RFC 7800 `cnf`): a DPoP-bound token (`cnf.jkt`, RFC 9449) must come
// as `Authorization: DPoP` with one valid, unused proof from its key; a token of an issuer that requires
// DPoP must be bound; any other confirmation method is refused, since accepting it as a bearer token would
// undo the binding. Plain bearer tokens pass untouched.
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import type { AuthorizerConfig } from './config';
import type { AuthScheme } from './credentials';
import { verifyDpopProof, isThumbprint } from './dpop';
import { readProofRequest } from './dpop-request';
import { proofKey, type ReplayStore } from './dpop-replay';
import type { AuthorizerEvent } from './event';
import { TokenRejectedError } from './errors';

export interface BindingInput {
  readonly event: AuthorizerEvent;
  readonly scheme: AuthScheme;
  readonly token: string;
  /** The verified token's claims. */
  readonly payload: JwtPayload;
  readonly nowSeconds: number;
}

/** What the binding check found: `dpop` for a bound token with a good proof, null for a plain bearer token. */
export type Binding = 'dpop' | null;

/** The token's `cnf.jkt`, undefined when it has no `cnf`; throws for a `cnf` this authorizer cannot honour. */
function boundThumbprint(payload: JwtPayload): string | undefined {
  const cnf = payload.cnf;
  if (cnf === undefined) return undefined;
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)) {
    throw new TokenRejectedError('INVALID_CLAIM', 'cnf must be an object');
  }
  const methods = Object.keys(cnf);
  const other = methods.find((m) => m !== 'jkt');
  if (other !== undefined) {
    throw new TokenRejectedError(
      'UNSUPPORTED_BINDING',
      `cnf names a confirmation method this resource cannot check (${JSON.stringify(other).slice(0, 40)})`,
    );
  }
  const jkt = (cnf as Record<string, unknown>).jkt;
  if (!isThumbprint(jkt)) {
    throw new TokenRejectedError('INVALID_CLAIM', 'cnf.jkt must be a base64url SHA-256 thumbprint');
  }
  return jkt;
}

export function createBindingCheck(config: AuthorizerConfig, replay: ReplayStore) {
  const required = new Set(config.dpop.requiredIssuers);
  const { proofMaxAgeSeconds } = config.dpop;
  return {
    /** Throws TokenRejectedError for a binding that does not hold; settles synchronously for bearer tokens. */
    check(input: BindingInput): Binding | Promise<Binding> {
      const { event, scheme, token, payload, nowSeconds } = input;
      const jkt = boundThumbprint(payload);
      if (jkt === undefined) {
        if (scheme === 'DPoP') {
          throw new TokenRejectedError('DPOP_TOKEN_NOT_BOUND', 'a DPoP-scheme token must carry cnf.jkt');
        }
        if (required.has(payload.iss as string)) {
          throw new TokenRejectedError('DPOP_REQUIRED', "this issuer's tokens must be DPoP-bound");
        }
        return null;
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
      // Kept until the proof is stale anyway: then its iat alone refuses it.
      const recorded = replay.record(
        proofKey(proof.jkt, proof.jti),
        proof.iat + proofMaxAgeSeconds + 1,
        nowSeconds,
      );
      return recorded instanceof Promise ? recorded.then(() => 'dpop' as const) : 'dpop';
    },
  };
}

export type BindingCheck = ReturnType<typeof createBindingCheck>;
