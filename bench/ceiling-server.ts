import { createServer, type OutgoingHttpHeaders } from 'node:http';

/**
 * The ceiling: a bare node:http server that answers every request with a 302 and nothing else;
 * with CEILING_HEADERS (JSON), with those headers: a click's own answer, for comparison.
 */
const headers: OutgoingHttpHeaders = process.env.CEILING_HEADERS
  ? JSON.parse(process.env.CEILING_HEADERS)
  : { location: 'https://advertiser.example/landing?tid=10abcdef' };
const server = createServer((_request, response) => {
  response.writeHead(302, headers).end();
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
