// The dev server of a remote served on its own (`npx nx serve mfe-logs`) forwards the console's
// API to a running console, so the remote works as it will inside it: `/api` (REST, watch
// streams, logs) and `/auth` (who is signed in). CAIRN_CONSOLE_URL says where the console is
// (default http://localhost:4466, what `npm start` serves). The Host header is kept, so the
// gateway's same-origin check sees the page's own origin. Every forwarded answer carries
// `X-Cairn-Console`, which the page uses to tell "no console" from "signed out".
const target = process.env.CAIRN_CONSOLE_URL ?? 'http://localhost:4466';
try {
  new URL(target);
} catch {
  throw new Error(`CAIRN_CONSOLE_URL must be a URL such as http://localhost:4466, got "${target}".`);
}

const forward = {
  target,
  secure: true,
  changeOrigin: false,
  configure: (proxy) => {
    proxy.on('proxyRes', (response) => {
      response.headers['x-cairn-console'] = target;
    });
  },
};

export default { '/api': forward, '/auth': forward };
