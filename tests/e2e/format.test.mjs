// Unit tests of the UI's pure helpers, run in node beside the browser
// tests: timestamp reading and relative times (web/js/time.js), the
// character counter (web/js/components/composer.js) and the words for the
// API's validation codes (web/js/api.js).
import assert from "node:assert/strict";
import { test } from "node:test";
import { describeCodes } from "../../web/js/api.js";
import { charsLeft } from "../../web/js/components/composer.js";
import { parseTimestamp, relativeTime } from "../../web/js/time.js";

test("timestamps in every form the data has", () => {
  const cases = [
    ["2023-03-20T22:52:11.123456+00:00", "2023-03-20T22:52:11.123Z"],
    ["2023-03-20T22:52:11+00:00", "2023-03-20T22:52:11.000Z"],
    ["2023-03-20T22:52:11.5", "2023-03-20T22:52:11.500Z"], // no offset: UTC
    ["2023-03-20T22:52:11", "2023-03-20T22:52:11.000Z"],
    ["2023-03-20T22:52:11Z", "2023-03-20T22:52:11.000Z"],
    ["2023-03-20T23:52:11.000000+01:00", "2023-03-20T22:52:11.000Z"],
    ["2023-03-20T22:52:11.123456+0000", "2023-03-20T22:52:11.123Z"],
  ];
  for (const [text, iso] of cases) assert.equal(parseTimestamp(text)?.toISOString(), iso, text);
  for (const bad of ["", "yesterday", "2023-13-45T99:99:99", null, undefined, 42]) {
    assert.equal(parseTimestamp(bad), null, String(bad));
  }
});

test("relative times: now under a minute, Nm under an hour, Nh under a day, else a date", () => {
  const now = new Date(2026, 2, 20, 12, 0, 0); // local time, Mar 20 2026 noon
  const ago = (ms) => new Date(now.getTime() - ms);
  const MIN = 60000;
  const cases = [
    [ago(0), "now"],
    [ago(59 * 1000), "now"],
    [ago(MIN), "1m"],
    [ago(59 * MIN), "59m"],
    [ago(60 * MIN), "1h"],
    [ago(23 * 60 * MIN + 59 * MIN), "23h"],
    [new Date(2026, 2, 3, 9, 30), "Mar 3"],
    [new Date(2025, 11, 31, 23, 0), "Dec 31, 2025"],
    [new Date(now.getTime() + 5 * MIN), "now"], // future (clock skew): never negative
  ];
  for (const [date, want] of cases) assert.equal(relativeTime(date, now), want, date.toString());
});

test("the counter counts code points, as the API does", () => {
  assert.equal(charsLeft(""), 1024);
  assert.equal(charsLeft("x".repeat(1024)), 0);
  assert.equal(charsLeft("x".repeat(1025)), -1);
  assert.equal(charsLeft("😀".repeat(1024)), 0); // 2048 UTF-16 units
  assert.equal(charsLeft("é"), 1023);
});

test("validation codes are told in words", () => {
  assert.deepEqual(describeCodes(["message_blank", "message_exceed_max_chars"]),
    ["The message is empty.", "The message is longer than 1024 characters."]);
  assert.deepEqual(describeCodes(["user_receiver_handle_blank"]), ["No recipient was given."]);
  assert.deepEqual(describeCodes(["user_receiver_is_self"]), ["You cannot send a message to yourself."]);
  assert.deepEqual(describeCodes(["cannot_message_yourself"]), ["Cannot message yourself."]);
});
