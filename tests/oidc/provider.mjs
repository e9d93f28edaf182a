// A certified OpenID Connect provider (npm oidc-provider@9) for the VNeID sign-in tests:
// one confidential client, PKCE required, accounts with the claims the public-service
// portal gives (SoDinhDanh, name, phone_number), and the library's own login and consent
// pages (devInteractions: any login and password sign in as the account of that login).
//
// Started by tests/auth/oidc_peer.py as `node provider.mjs`; listens on 127.0.0.1 on a
// port chosen by the system, prints {"issuer": "..."} on one line, and exits when its
// standard input closes (the test ended).
//
// Environment: OIDC_PROVIDER_MODULES (the node_modules holding oidc-provider),
// OIDC_TEST_CLIENT_ID, OIDC_TEST_CLIENT_SECRET, OIDC_TEST_REDIRECT_URIS
// (space-separated; any port of a loopback address is accepted for them) and
// OIDC_TEST_ACCOUNTS (a JSON object: login -> claims).
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

// Installed outside the repository (npm install --prefix .cache/oidc oidc-provider@9).
const modules = process.env.OIDC_PROVIDER_MODULES || path.resolve('.cache/oidc/node_modules');
const { default: Provider } = await import(
  pathToFileURL(path.join(modules, 'oidc-provider', 'lib', 'index.js')).href);

const clientId = process.env.OIDC_TEST_CLIENT_ID || 'tiepcongdan';
const clientSecret = process.env.OIDC_TEST_CLIENT_SECRET || 'a-test-secret-of-the-client';
const redirectUris = (process.env.OIDC_TEST_REDIRECT_URIS
  || 'http://127.0.0.1/auth/oidc/callback http://localhost/auth/oidc/callback').split(/\s+/).filter(Boolean);
const accounts = JSON.parse(process.env.OIDC_TEST_ACCOUNTS || JSON.stringify({
  citizen: { SoDinhDanh: '001099012345', name: 'Nguyễn Văn An', phone_number: '0912345678' },
}));

const configuration = {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: redirectUris,
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  scopes: ['openid', 'vneid'],
  claims: { openid: ['sub'], vneid: ['SoDinhDanh', 'name', 'phone_number'] },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['test-cookie-key-of-the-provider'] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...(accounts[id] || {}) };
      },
    };
  },
};

const LOOPBACKS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function anyLoopbackPort(value, allowed) {
  // The test application listens on a port the system chose: accept a registered
  // loopback redirect URI on any port.
  let url;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' || !LOOPBACKS.has(url.hostname)) return false;
  url.port = '';
  return allowed.includes(url.href);
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, configuration);
  const exact = provider.Client.prototype.redirectUriAllowed;
  provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(value) {
    return exact.call(this, value) || anyLoopbackPort(value, this.redirectUris);
  };
  provider.on('server_error', (ctx, error) => console.error('server_error', error));
  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
