// `npm start`: the whole system on 127.0.0.1 until Ctrl-C. Prints one ready line per part
// (`issuer: ...`, `dynamodb: ...`, `api: ...`, `app: ...`), then how to use the app, log in and call the API;
// when stopped, the authorizer's metrics as CloudWatch would have counted them.
import { constructContract } from './construct-contract';
import { LocalStackError } from './errors';
import { startLocalStack, type RunningStack } from './local-stack';
import { removeStackFile, stackFilePath, writeStackFile } from './stack-file';
import { parseStackSettings } from './stack-settings';

function usage(stack: RunningStack, stackFile: string): string {
  const { api, issuer, app } = stack.info;
  const local = stack.info.issuerCertificate !== null;
  const mtls = Boolean(stack.info.mtls);
  const lines = [
    '',
    `ready. Discovery info for npm run login: ${stackFile}`,
    '',
    ...(app === null ? [] : [`Open the browser app: ${app}`, '']),
    local
      ? 'Log in (users alice / alice-password, bob / bob-password, admin / admin-password):'
      : `Get an access token from ${issuer} with your tenant's own tools, then:`,
    ...(local && !mtls
      ? [
          '  npm run login                                   # prints a login URL to open in your browser',
          '  TOKEN=$(npm run --silent login -- --user alice --headless)',
        ]
      : []),
    ...(mtls && local
      ? [
          'The API requires a client certificate (MTLS=1). Get a token bound to a new one; the login names its',
          'files and the calls to make (npm run call -- --cert FILE --key FILE GET /items, or curl):',
          '  TOKEN=$(npm run --silent login -- --user alice --headless --mtls)',
        ]
      : mtls
        ? ['The API requires a client certificate from the local client CA (MTLS=1; see the stack file).']
        : [
            'Call the API:',
            `  curl -s -H "Authorization: Bearer $TOKEN" ${api}/items`,
            `  curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"name":"first"}' ${api}/items`,
          ]),
    ...(local
      ? [
          'Revoke that token (as admin), or every earlier token of a user:',
          '  npm run revoke -- --token "$TOKEN"',
          '  npm run revoke -- --subject alice',
        ]
      : []),
    "The authorizer's metrics so far (as CloudWatch would count them):",
    mtls ? '  (GET /__metrics needs a client certificate too)' : `  curl -s ${api}/__metrics`,
    '',
    'Ctrl-C stops everything, and prints a summary of the metrics.',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const contract = constructContract();
  const settings = parseStackSettings(process.env, {
    cacheTtlSeconds: contract.defaultCacheTtlSeconds,
    maxRevocationDelaySeconds: contract.defaultMaxRevocationDelaySeconds,
  });
  const stackFile = settings.stackFile ?? stackFilePath(process.env);
  const say = (line: string): void => {
    process.stdout.write(line + '\n');
  };

  // Set once started; the signal handler may run before that.
  const running: { stack?: RunningStack } = {};
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) {
      // A second Ctrl-C while stopping: give up waiting, the exit hook still kills Java.
      process.exit(130);
    }
    stopping = true;
    say(`\n${signal}: stopping`);
    const metrics = running.stack?.gateway.metrics;
    if (metrics !== undefined) say(metrics.summary());
    removeStackFile(stackFile);
    (running.stack ? running.stack.stop() : Promise.resolve()).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`stop failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  // No contract passed: the stack builds it with the browser app's origin as the one CORS origin.
  const stack = await startLocalStack({ settings, env: process.env, announce: say });
  running.stack = stack;
  if (stopping) {
    await stack.stop();
    return;
  }
  writeStackFile(stackFile, stack.info);
  say(usage(stack, stackFile));
}

main().catch((error: unknown) => {
  const detail = error instanceof LocalStackError ? `${error.code}: ${error.message}` : String(error);
  process.stderr.write(`npm start failed: ${detail}\n`);
  process.exit(1);
});
