// CorsOrigin: which browser origin may read the authorizer's gateway responses (401, 403, 503, ...), as a
// choice of three instead of a string that may be null.
import { Token } from 'aws-cdk-lib';
import type { PropProblems } from './prop-checks';

/**
 * The `Access-Control-Allow-Origin` of the gateway responses.
 *
 * @example
 * new JwtAuthorizer(this, 'Jwt', { issuers, corsAllowOrigin: CorsOrigin.of('https://app.example.com') });
 */
export class CorsOrigin {
  /** `*`: any browser app may read the responses (they carry no credentials). */
  static readonly ANY = new CorsOrigin('*');
  /** No CORS headers at all: no browser app on another origin may read the responses. */
  static readonly NONE = new CorsOrigin(undefined);

  /** One origin, e.g. `https://app.example.com` (scheme, host and port; no path). */
  static of(origin: string): CorsOrigin {
    return new CorsOrigin(origin);
  }

  private constructor(
    /** The header's value; undefined for NONE. */
    readonly origin?: string,
  ) {}

  /**
   * The header value for buildGatewayResponses() (null: no CORS headers), checked: it is written in single
   * quotes into static gateway responses, so it is literal, non-empty and has no quote or line break.
   * @internal
   */
  _resolve(p: PropProblems, prop: string): string | null {
    const origin = this.origin;
    if (origin === undefined) return null;
    if (Token.isUnresolved(origin) || origin === '' || /['\n\r]/.test(origin)) {
      p.add(
        prop,
        `must be an origin without quotes or line breaks; got "${origin}"`,
        'Use CorsOrigin.of("https://app.example.com").',
      );
    }
    return origin;
  }
}
