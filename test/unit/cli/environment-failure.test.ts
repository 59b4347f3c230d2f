import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  classifyEnvironmentFailure,
  describeEnvironmentFailure,
} from "../../../src/cli/environment-failure.js";

const DB = "postgres://backfill:pw@db.internal/registry";

/** A socket error as Node raises it (net.connect): code, address, port. */
function socketError(code: string, address: string, port: number): Error {
  return Object.assign(new Error(`connect ${code} ${address}:${port}`), { code, address, port });
}

describe("describeEnvironmentFailure", () => {
  test("a refused connection to DATABASE_URL's port (default 5432) names PostgreSQL and hides the password", () => {
    const message = describeEnvironmentFailure(socketError("ECONNREFUSED", "10.0.0.7", 5432), DB);
    assert.equal(
      message,
      "cannot connect to PostgreSQL at postgres://backfill:***@db.internal/registry (connection refused): start the server or fix DATABASE_URL",
    );
  });

  test("another endpoint (Redis, say) is named by host and port, not blamed on PostgreSQL", () => {
    const message = describeEnvironmentFailure(socketError("ETIMEDOUT", "10.0.0.8", 6379), DB);
    assert.equal(
      message,
      "cannot connect to 10.0.0.8:6379 (timed out): is the server running, and are DATABASE_URL and REDIS_URL right?",
    );
  });

  test("an AggregateError (one attempt per address of a name) and a wrapped cause are recognised", () => {
    const aggregate = Object.assign(
      new AggregateError([
        socketError("ECONNREFUSED", "::1", 5432),
        socketError("ECONNREFUSED", "127.0.0.1", 5432),
      ]),
      { code: "ECONNREFUSED" },
    );
    assert.match(describeEnvironmentFailure(aggregate, DB) ?? "", /^cannot connect to PostgreSQL at /);
    const wrapped = new Error("starting the run", {
      cause: Object.assign(new Error('database "registry" does not exist'), {
        code: "3D000",
        severity: "FATAL",
      }),
    });
    assert.match(describeEnvironmentFailure(wrapped, DB) ?? "", /does not exist: create the database/);
  });

  test("a login refused and TLS mismatches are configuration (exit 2); a connect timeout is not", () => {
    const login = classifyEnvironmentFailure(
      Object.assign(new Error('password authentication failed for user "backfill"'), {
        code: "28P01",
        severity: "FATAL",
      }),
      DB,
    );
    assert.equal(login?.configuration, true);
    const noTls = classifyEnvironmentFailure(new Error("The server does not support SSL connections"), DB);
    assert.match(noTls?.text ?? "", /does not accept TLS, which DATABASE_URL's sslmode asks for/);
    assert.equal(noTls?.configuration, true);
    const selfSigned = classifyEnvironmentFailure(
      Object.assign(new Error("self-signed certificate"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" }),
      DB,
    );
    assert.match(
      selfSigned?.text ?? "",
      /TLS certificate that was not accepted \(self-signed certificate\): give its CA/,
    );
    const silent = classifyEnvironmentFailure(new Error("timeout expired"), DB);
    assert.match(
      silent?.text ?? "",
      /did not answer within the connect timeout \(BACKFILL_CONNECT_TIMEOUT_SECONDS\)/,
    );
    assert.equal(silent?.configuration, false);
  });

  test("anything else is left to the stack trace", () => {
    assert.equal(describeEnvironmentFailure(new TypeError("x is undefined"), DB), undefined);
    // A SQLSTATE the classifier does not know, and a code that is not PostgreSQL's.
    assert.equal(
      describeEnvironmentFailure(
        Object.assign(new Error("deadlock"), { code: "40P01", severity: "ERROR" }),
        DB,
      ),
      undefined,
    );
    assert.equal(
      describeEnvironmentFailure(Object.assign(new Error("no"), { code: "42P01" }), DB),
      undefined,
    );
    assert.equal(describeEnvironmentFailure("a string", DB), undefined);
  });
});
