// An in-process local gateway in front of the real authorizer core, with the construct's identity validation
// expression and gateway responses. Integrations are stubs that answer 200, so any wrongly allowed request shows.
import { constructContract } from '../../local/construct-contract';
import { createGateway, type Gateway } from '../../local/gateway';
import type { Authorizer } from '../../lambda/authorizer';
import { APP_ROUTES } from '../../lambda/routes';

export function gatewayFor(authorizer: Authorizer, cacheTtlSeconds = 0): Gateway {
  const contract = constructContract();
  return createGateway({
    routes: APP_ROUTES.map((r) => ({
      method: r.method,
      path: r.path,
      id: r.id,
      handler: async () => ({ statusCode: 200, body: JSON.stringify({ route: r.id }) }),
    })),
    authorizer: (event) => authorizer.authorize(event),
    identityValidationExpression: contract.identityValidationExpression,
    cacheTtlSeconds,
    responses: contract.responses,
  });
}

export function request(method: string, path: string, authorization?: string) {
  return {
    method,
    path,
    rawQuery: '',
    rawHeaders: authorization === undefined ? [] : ['Authorization', authorization],
    body: '',
    sourceIp: '127.0.0.1',
    requestId: 'req-1',
    receivedAt: new Date(),
  };
}
