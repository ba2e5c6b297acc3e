import { createServer } from 'node:http';
const spin = Number(process.env.SPIN_US ?? 0);
const server = createServer((_request, response) => {
  if (spin) { const end = performance.now() + spin / 1000; while (performance.now() < end); }
  if (process.env.FULL) response.writeHead(302, { 'set-cookie': ['pl_vid=abcdefabcdefabcdefabcdefabcdefabcdefabcdefa; Max-Age=31536000; Path=/; HttpOnly; SameSite=Lax', 'pl_s4=1001a24672663e8c7c6ed698159782; Max-Age=2592000; Path=/; HttpOnly; SameSite=Lax'], location: 'https://acme-outdoor.example/bench?tid=1001a24672663e8c7c6ed698159782&s=bench', 'cache-control': 'no-store', 'x-partnerline-click': 'counted', 'content-length': 0 }).end();
  else response.writeHead(302, { location: 'https://advertiser.example/landing?tid=10abcdef' }).end();
});
server.listen(0, '127.0.0.1', () => { const a = server.address(); process.stdout.write(`listening on http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}\n`); });
process.on('SIGTERM', () => server.close(() => process.exit(0)));
