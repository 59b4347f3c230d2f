import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { probeThrottleUrl } from "../../../src/run/throttle-url-probe.js";

/** The operator's throttle endpoint (BACKFILL_THROTTLE_URL): anything but a 200 in time is a reason to hold. */
describe("probeThrottleUrl", () => {
  let server: http.Server;
  let base = "";
  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === "/hang") return; // never answers
      if (req.url === "/redirect") return res.writeHead(302, { location: "/ok" }).end();
      res.writeHead(req.url === "/ok" ? 200 : 503).end("body");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test("200 is ok; any other status names it, a redirect included (not followed)", async () => {
    assert.equal(await probeThrottleUrl(`${base}/ok`, 1000), "ok");
    assert.equal(await probeThrottleUrl(`${base}/busy`, 1000), "HTTP 503");
    assert.equal(await probeThrottleUrl(`${base}/redirect`, 1000), "HTTP 302");
  });

  test("no answer throttles once the timeout has passed, and says so", async () => {
    const started = performance.now();
    assert.equal(await probeThrottleUrl(`${base}/hang`, 200), "no answer within 0.2 s");
    const took = performance.now() - started;
    assert.ok(took >= 190 && took < 2000, `took ${took} ms`);
  });

  test("an endpoint nobody listens on, or a host that does not resolve, is a reason, never a throw", async () => {
    // A port just closed: nothing listens there.
    const spare = http.createServer();
    await new Promise<void>((resolve) => spare.listen(0, "127.0.0.1", resolve));
    const port = (spare.address() as AddressInfo).port;
    await new Promise((resolve) => spare.close(resolve));
    assert.equal(await probeThrottleUrl(`http://127.0.0.1:${port}/`, 1000), "unreachable (ECONNREFUSED)");
    assert.match(
      await probeThrottleUrl("http://no-such-host.invalid/", 2000),
      /^(unreachable \(.+\)|no answer within 2 s)$/,
    );
  });
});
