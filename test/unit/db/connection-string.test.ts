import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { pgConnectionString } from "../../../src/db/connect.js";

describe("pgConnectionString", () => {
  test("sslmode prefer/require/verify-ca is spelled verify-full, which is what pg does with them", () => {
    for (const mode of ["prefer", "require", "verify-ca"]) {
      const out = new URL(
        pgConnectionString(`postgres://u:p%40w@db:5432/x?sslmode=${mode}&application_name=a`),
      );
      assert.equal(out.searchParams.get("sslmode"), "verify-full");
      assert.equal(out.searchParams.get("application_name"), "a");
      assert.equal(out.password, "p%40w");
    }
  });

  test("other URLs, and libpq semantics asked for explicitly, pass through unchanged", () => {
    for (const url of [
      "postgres://root@127.0.0.1:5432/test",
      "postgres://db/x?sslmode=disable",
      "postgres://db/x?sslmode=verify-full",
      "postgres://db/x?uselibpqcompat=true&sslmode=require",
    ])
      assert.equal(pgConnectionString(url), url);
  });
});
