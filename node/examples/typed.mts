// A typed first use of the SDK; `tsc --noEmit --strict` checks it in `make test`.
import {
  Client,
  NotFoundError,
  PleoError,
  type Installation,
  type LogLevel,
  type Logger,
  type OAuthTokens,
  type TokenStore,
} from 'pleo-installations';
import { MockServer } from 'pleo-installations/testing';

const server = await MockServer.start();
try {
  // The SDK's events (retries, refreshes, give-ups) to any logger with a method per level.
  const logger: Logger = console;
  const logLevel: LogLevel = 'info';
  const client = new Client({ baseUrl: server.url, apiKey: server.apiKey, timeoutMs: 5_000, logger, logLevel });
  try {
    await client.getInstallation();
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    console.log(`no installation yet (${error.code}, HTTP ${error.status})`);
  }
  const created: Installation = await client.createInstallation({ status: 'AUTHORIZED', metadata: { erp: 'demo' } });
  const status: string = created.status;
  const updated = await client.updateInstallation({ status: 'INACTIVE', errorCode: 'NOT_ENTITLED' });
  console.log(status, '→', updated.status, updated.errorCode ?? '');
  const raw: string = await client.callJson('getClientInstallation', '{}');
  console.log(JSON.parse(raw).id === created.id);

  let saved: OAuthTokens | null = null;
  const store: TokenStore = {
    load: () => saved,
    lock: async () => () => undefined,
    compareAndSwap: (_expected, tokens) => {
      saved = tokens;
      return true;
    },
  };
  const { clientId, clientSecret } = server.oauthClient;
  const oauth = new Client({
    baseUrl: server.url,
    oauth: { clientId, clientSecret, ...server.issueTokens(), expiresIn: 3600 },
    tokenStore: store,
    onTokensRefreshed: async (tokens) => console.log('refreshed; expires', tokens.expiresAt?.toISOString()),
  });
  await oauth.refreshTokens();
  console.log((await oauth.introspect()).data.authMethod);
} catch (error) {
  if (error instanceof PleoError) console.error(error.code, error.requestId, error.message);
  throw error;
} finally {
  await server.stop();
}
