import { describe, expect, it } from "vitest";
import { redact } from "@/lib/redact";

describe("redact", () => {
  it.each([
    ["postgresql://app:s3cret@db:5432/app", "postgresql://app:***@db:5432/app"],
    ["connect postgres://u:p%40ss@127.0.0.1/x failed", "connect postgres://u:***@127.0.0.1/x failed"],
    ["ws://proxy:pw@host/v1 and redis://:pw2@cache:6379", "ws://proxy:***@host/v1 and redis://:***@cache:6379"],
    ["password=hunter2 host=db", "password=*** host=db"],
    ["Password: hunter2", "Password: ***"],
    ["ws://127.0.0.1:4000/v1?key=Zm9vYmFy-_x&client=a1 failed", "ws://127.0.0.1:4000/v1?key=***&client=a1 failed"],
  ])("hides the secret in %j", (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it.each(["postgresql://app@db:5432/app", "https://example.com/a:b", "no secrets here", "10:30 at host:5432", "Key (slug)=(taken) already exists"])("leaves %j alone", (input) => {
    expect(redact(input)).toBe(input);
  });
});
