// A fetch for jose's remote JWKS that trusts the bench certificate without changing process-wide TLS settings.
import { request } from 'node:https';

export function trustingFetch(ca: string): (url: string) => Promise<Response> {
  return (url) =>
    new Promise((resolve, reject) => {
      const req = request(url, { method: 'GET', ca }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (typeof value === 'string') headers.set(name, value);
          }
          resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 500, headers }));
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
}
