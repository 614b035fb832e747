// The installation lifecycle with the Node SDK, against the emulator in-process.
// Run: make demo-node (it links the package here as node_modules/pleo-installations).
import { Client, NotFoundError, authorizationUrl, exchangeCode } from 'pleo-installations';
import { MockServer } from 'pleo-installations/testing';

const server = await MockServer.start();
const show = (what, value) =>
  console.log(`${what.padEnd(34)} ${typeof value === 'string' ? value : JSON.stringify(value)}`);

try {
  // 1. An API-key integration creates its own installation.
  const client = new Client({ baseUrl: server.url, apiKey: server.apiKey, userAgent: 'lifecycle-demo/1.0' });
  show('introspect', (await client.introspect()).data.authMethod);
  await client.getInstallation().catch((error) => {
    if (!(error instanceof NotFoundError)) throw error;
    show('getInstallation before creating', `${error.code} (HTTP ${error.status})`);
  });
  const created = await client.createInstallation({ status: 'AUTHORIZED', metadata: { tenant: 'acme' } });
  show('createInstallation', `${created.id} ${created.status}`);
  show('updateInstallation', (await client.updateInstallation({ status: 'PENDING_INTEGRATION' })).status);

  // The sync is done elsewhere; meanwhile another call waits for the status to change.
  const waiting = client.waitForStatus(['ACTIVATED', 'ERROR'], { timeoutMs: 10_000 });
  server.pushFault({ status: 503, retryAfter: '0', operation: 'activateMyInstallation' });
  show('activateInstallation (after a 503)', (await client.activateInstallation()).status);
  show('waitForStatus', (await waiting).status);
  await client.deleteInstallation();
  show('deleteInstallation', 'done');

  // 2. An OAuth integration: the user consents, the code is exchanged, tokens rotate.
  const { clientId, clientSecret, redirectUri } = server.oauthClient;
  const { url, codeVerifier, state } = await authorizationUrl({ clientId, redirectUri, baseUrl: server.url });
  const consent = server.consent(url); // a real user's browser does this
  if (consent.state !== state) throw new Error('state mismatch');
  const tokens = await exchangeCode({
    clientId,
    clientSecret,
    code: consent.code,
    codeVerifier,
    redirectUri,
    baseUrl: server.url,
  });
  const oauth = new Client({
    baseUrl: server.url,
    oauth: { clientId, clientSecret, ...tokens },
    onTokensRefreshed: async (fresh) =>
      show('onTokensRefreshed (persist them)', `expires ${fresh.expiresAt?.toISOString()}`),
  });
  show('OAuth getInstallation', (await oauth.getInstallation()).status);
  server.expireAccessTokens();
  show('after expiry, introspect', (await oauth.introspect()).data.authMethod);
} finally {
  await server.stop();
}
