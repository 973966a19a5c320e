// redact_test.cpp — secret redaction (src/core/redact.cpp) through the Stream API: for each family
// (URI passwords, key-values, Authorization credentials, tokens by shape, PEM private keys) a
// constructed line is parsed with Options::redact and its message must read exactly as expected,
// `***` where the secret was and every other byte as written; lookalikes stay untouched. Then JSON
// lines (message and attrs, which must stay valid JSON), multi-line events, counts, chunking, the
// duplicate filter and the library default.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "stream_util.hpp"

namespace airlog::testing {
namespace {

constexpr std::string_view kPrefix = "[2024-05-01T12:00:00.000+0000] {hooks.py:42} INFO - ";

Options redacting() {
  Options o;
  o.redact = true;
  return o;
}

// The message airlog reads from one console line holding `message`, redacted.
std::string redacted(std::string_view message, uint64_t* redactions = nullptr) {
  const std::string line = std::string(kPrefix) + std::string(message) + "\n";
  Result r = parse_whole(line, redacting());
  EXPECT_EQ(r.events.size(), 1u) << line;
  if (redactions) *redactions = r.stats.redactions;
  return r.events.empty() ? std::string() : r.events[0].message;
}

struct Case {
  std::string_view in;
  std::string_view out;  // == in: nothing is a secret
};

void expect_cases(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    uint64_t n = 0;
    EXPECT_EQ(redacted(c.in, &n), c.out) << c.in;
    if (c.in == c.out)
      EXPECT_EQ(n, 0u) << c.in;
    else
      EXPECT_GE(n, 1u) << c.in;
  }
}

TEST(Redact, UriPasswords) {
  expect_cases({
      {"conn postgresql://airflow:s3cr3t@db:5432/airflow ok", "conn postgresql://airflow:***@db:5432/airflow ok"},
      {"broker redis://:hunter2@redis:6379/0", "broker redis://:***@redis:6379/0"},
      {"url='mysql+pymysql://root:pa:ss@mysql/db'", "url='mysql+pymysql://root:***@mysql/db'"},
      // No password, a port, an '@' past the path, an already masked one: nothing to mask.
      {"postgresql://airflow@db/airflow", "postgresql://airflow@db/airflow"},
      {"GET http://web:8080/home", "GET http://web:8080/home"},
      {"see https://example.com/a:b@c", "see https://example.com/a:b@c"},
      {"postgresql://airflow:***@db/airflow", "postgresql://airflow:***@db/airflow"},
  });
}

TEST(Redact, KeyValues) {
  expect_cases({
      {"login password=hunter2 user=bob", "login password=*** user=bob"},
      {"GET /cb?code=1&access_token=abc123&x=1", "GET /cb?code=1&access_token=***&x=1"},
      {"aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY done", "aws_secret_access_key=*** done"},
      {"dbPassword: s3cret, host: db", "dbPassword: ***, host: db"},
      {"body {\"password\": \"p@ss word\", \"user\": \"u\"}", "body {\"password\": \"***\", \"user\": \"u\"}"},
      {"extra {'api_key': 'k-123', 'login': 'u'}", "extra {'api_key': '***', 'login': 'u'}"},
      {"client_secret='abc\\'def' next", "client_secret='***' next"},
      {"API-KEY = XYZ789;", "API-KEY = ***;"},
      {"AccountName=acct;AccountKey=Zm9vYmFy+/==;EndpointSuffix=core",
       "AccountName=acct;AccountKey=***;EndpointSuffix=core"},
      {"PASSWD:abc", "PASSWD:***"},
      // Not a secret's key, no separator, or a placeholder value.
      {"token_type=bearer expires_in=3600", "token_type=bearer expires_in=3600"},
      {"token_type=bearer expires_in=36000000", "token_type=bearer expires_in=36000000"},
      {"password_hash=pbkdf2 tokenizer=bert max_tokens=5", "password_hash=pbkdf2 tokenizer=bert max_tokens=5"},
      {"SELECT password FROM users", "SELECT password FROM users"},
      {"UPDATE users SET password = %s WHERE id = ?", "UPDATE users SET password = %s WHERE id = ?"},
      {"password=None password=*** password=<redacted value> password={password} pwd=:pwd token=${TOKEN}",
       "password=None password=*** password=<redacted value> password={password} pwd=:pwd token=${TOKEN}"},
      {"if password == expected: ok", "if password == expected: ok"},
      {"mypassword=x keyring=y", "mypassword=x keyring=y"},
      // Met in real logs: Airflow 1.10's own mask, code, an OpenAPI schema.
      {"Login: airflow, Password: XXXXXXXX, extra: {}", "Login: airflow, Password: XXXXXXXX, extra: {}"},
      {"Executing workload in Celery: token='eyJ***' ti=x", "Executing workload in Celery: token='eyJ***' ti=x"},
      {"query_string={\"token\": token}, t = r.json[\"continuation_token\"]",
       "query_string={\"token\": token}, t = r.json[\"continuation_token\"]"},
      {"continuation_token = response.json[\"continuation_token\"]",
       "continuation_token = response.json[\"continuation_token\"]"},
      {"{'password': {'type': 'string', 'format': 'password'}, 'file_token': {'type': 'string'}}",
       "{'password': {'type': 'string', 'format': 'password'}, 'file_token': {'type': 'string'}}"},
  });
}

TEST(Redact, AuthorizationCredentials) {
  expect_cases({
      {"Authorization: Bearer abc.def", "Authorization: Bearer ***"},
      {"headers={'Authorization': 'Basic dXNlcjpwYXNz', 'Accept': '*/*'}",
       "headers={'Authorization': 'Basic ***', 'Accept': '*/*'}"},
      {"curl -H \"authorization: bearer tok\"", "curl -H \"authorization: bearer ***\""},
      {"sent Bearer 0123456789abcdefXYZ to api", "sent Bearer *** to api"},
      {"try Basic dXNlcjpwYXNz", "try Basic ***"},
      // Outside a header: a short Bearer word, a Basic that is prose or no user:pass.
      {"Bearer short token", "Bearer short token"},
      {"Basic configuration loaded", "Basic configuration loaded"},
      {"Basic SGVsbG8gd29ybGQ=", "Basic SGVsbG8gd29ybGQ="},
  });
}

TEST(Redact, TokensByShape) {
  expect_cases({
      {"key id AKIAIOSFODNN7EXAMPLE in use", "key id *** in use"},
      {"ASIAY34FZKBOKMUTVV7A,", "***,"},
      {"gcp AIzaSyA-1234567890abcdefghijklmnopqrstu end", "gcp *** end"},
      {"slack xoxb-1234567890-abcdefghij", "slack ***"},
      {"gh ghp_abcdefghijklmnopqrstuvwxyz0123456789 x", "gh *** x"},
      {"pat github_pat_11ABCDEFG0123456789_abcdefghij", "pat ***"},
      {"jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U.", "jwt ***."},
      // One character off each shape, inside a longer word, or a base64 blob that is no key.
      {"AKIAIOSFODNN7EXAMPLEX AKIAIOSFODNN7EXAMPL XAKIAIOSFODNN7EXAMPLE",
       "AKIAIOSFODNN7EXAMPLEX AKIAIOSFODNN7EXAMPL XAKIAIOSFODNN7EXAMPLE"},
      {"ghp_short xoxb-123 eyJhbGciOiJIUzI1NiJ9 only", "ghp_short xoxb-123 eyJhbGciOiJIUzI1NiJ9 only"},
      {"blob SGVsbG8gd29ybGQgdGhpcyBpcyBub3QgYSBrZXk= ok", "blob SGVsbG8gd29ybGQgdGhpcyBpcyBub3QgYSBrZXk= ok"},
  });
}

TEST(Redact, PemPrivateKeyInAMultiLineEvent) {
  // The BEGIN line is the third of the event: the secret hint of every line counts.
  const std::string log = std::string(kPrefix) +
                          "loading key\n"
                          "Traceback (most recent call last):\n"
                          "  File \"/opt/x.py\", line 3, in <module>\n"
                          "ValueError: bad key -----BEGIN RSA PRIVATE KEY-----\n"
                          "MIIEpAIBAAKCAQEAxyz\n"
                          "q83jdkeE/3d==\n"
                          "-----END RSA PRIVATE KEY-----\n"
                          "[2024-05-01T12:00:01.000+0000] {hooks.py:43} INFO - -----BEGIN PUBLIC KEY----- abc\n";
  Result r = parse_whole(log, redacting());
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].message,
            "loading key\nTraceback (most recent call last):\n  File \"/opt/x.py\", line 3, in <module>\n"
            "ValueError: bad key -----BEGIN RSA PRIVATE KEY-----\n***\n-----END RSA PRIVATE KEY-----");
  EXPECT_EQ(r.events[0].ev.lines, 7u);
  EXPECT_EQ(r.events[1].message, "-----BEGIN PUBLIC KEY----- abc");  // a public key is no secret
  // The exception's message runs on over the key's lines: masked there too.
  EXPECT_EQ(r.events[0].exception_message.find("MIIE"), std::string::npos) << r.events[0].exception_message;
  EXPECT_EQ(r.stats.redactions, r.events[0].exception_message.find("***") != std::string::npos ? 2u : 1u);
  EXPECT_EQ(r.stats.lines_in, r.event_lines());

  // Without an END line, the body runs to the end of the text.
  EXPECT_EQ(redacted("-----BEGIN OPENSSH PRIVATE KEY-----b3BlbnNzaC1rZXktdjEAAAAA"),
            "-----BEGIN OPENSSH PRIVATE KEY-----***");
}

TEST(Redact, ExceptionMessageAndEveryField) {
  const std::string log = std::string(kPrefix) +
                          "Task failed\n"
                          "Traceback (most recent call last):\n"
                          "  File \"/opt/x.py\", line 3, in <module>\n"
                          "sqlalchemy.exc.OperationalError: cannot connect to postgresql://u:pw1@db/x\n";
  Result plain = parse_whole(log);
  Result r = parse_whole(log, redacting());
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(plain.events[0].exception_message, "cannot connect to postgresql://u:pw1@db/x");
  EXPECT_EQ(r.events[0].exception_message, "cannot connect to postgresql://u:***@db/x");
  EXPECT_EQ(r.stats.redactions, 2u);  // the message and the exception_message
  // The rendered line is the unredacted one with both secrets masked, nothing else changed.
  std::string expected = plain.events[0].json;
  for (size_t at; (at = expected.find("u:pw1@")) != std::string::npos;) expected.replace(at, 6, "u:***@");
  EXPECT_EQ(r.events[0].json, expected);
}

// Airflow 3 JSON lines: a run long enough to take the batch JSON reader, with secrets in the
// `event` text and in attrs (a string value, a bare number, a nested object).
TEST(Redact, JsonLinesMessageAndAttrs) {
  std::string log;
  for (int i = 0; i < 10; ++i)
    log += "{\"timestamp\":\"2025-01-01T00:00:0" + std::to_string(i) +
           ".000000Z\",\"level\":\"info\",\"event\":\"connect postgresql://u:pw@h/db\",\"logger\":\"x\","
           "\"password\":\"hunter2\",\"token\":12345,\"extra\":{\"api_key\":\"k\\\"q\"},\"pid\":12}\n";
  Result plain = parse_whole(log);
  Result r = parse_whole(log, redacting());
  ASSERT_EQ(r.events.size(), 10u);
  for (const OwnedEvent& e : r.events) {
    EXPECT_EQ(e.message, "connect postgresql://u:***@h/db");
    EXPECT_NE(e.json.find(R"("attrs":{"password":"***","token":"***","extra":{"api_key":"***"},"pid":12})"),
              std::string::npos)
        << e.json;
    std::string error;
    EXPECT_TRUE(valid_json_object(std::string_view(e.json).substr(0, e.json.size() - 1), &error)) << error;
  }
  EXPECT_EQ(r.stats.redactions, 40u);
  EXPECT_EQ(plain.stats.redactions, 0u);
  EXPECT_NE(plain.jsonl.find("hunter2"), std::string::npos);
  EXPECT_EQ(r.jsonl.find("hunter2"), std::string::npos);
}

TEST(Redact, OffByDefaultAndNothingChangesWithoutSecrets) {
  const std::string line = std::string(kPrefix) + "password=hunter2\n";
  EXPECT_FALSE(Options{}.redact);
  Result r = parse_whole(line);
  EXPECT_EQ(r.events[0].message, "password=hunter2");
  EXPECT_EQ(r.stats.redactions, 0u);

  // A log without secrets renders byte for byte the same with redaction on.
  std::string log;
  for (int i = 0; i < 50; ++i)
    log += std::string(kPrefix) + "Marking task as SUCCESS. dag_id=d, task_id=t" + std::to_string(i) + "\n";
  EXPECT_EQ(parse_whole(log, redacting()).jsonl, parse_whole(log).jsonl);
}

TEST(Redact, ChunkedEqualsWholeAndCountsHold) {
  std::string log;
  for (int i = 0; i < 40; ++i) {
    log += std::string(kPrefix) + "attempt " + std::to_string(i) + " password=p" + std::to_string(i) + "\n";
    log += "  continued with token: abc" + std::to_string(i) + "\n";
  }
  Result whole = parse_whole(log, redacting());
  Result pieces = parse_in_pieces(log, 7, redacting());
  EXPECT_EQ(whole.jsonl, pieces.jsonl);
  EXPECT_EQ(whole.stats.redactions, 80u);
  EXPECT_EQ(pieces.stats.redactions, 80u);
  EXPECT_EQ(whole.stats.lines_in, whole.event_lines() + whole.stats.duplicates_dropped);
  EXPECT_EQ(whole.jsonl.find("abc1"), std::string::npos);
}

// The duplicate filter sees the text as written: lines differing only in their secret are two
// events, a line read twice is still one.
TEST(Redact, DuplicatesAreJudgedBeforeMasking) {
  const std::string t0 = "[2024-05-01T12:00:00.000+0000] {hooks.py:42} INFO - ";
  const std::string t1 = "[2024-05-01T12:00:01.000+0000] {hooks.py:42} INFO - ";
  // Read twice, the second time with another password in the first line.
  const std::string log =
      t0 + "login password=first\n" + t1 + "done\n" + t0 + "login password=second\n" + t1 + "done\n";
  Options o = redacting();
  o.dedup = true;
  Result r = parse_whole(log, o);
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(r.events[0].message, "login password=***");
  EXPECT_EQ(r.events[2].message, "login password=***");
  EXPECT_EQ(r.stats.duplicate_events_dropped, 1u);  // `done` read again
  EXPECT_EQ(r.stats.redactions, 2u);
}

}  // namespace
}  // namespace airlog::testing
