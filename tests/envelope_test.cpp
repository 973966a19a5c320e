// envelope_test.cpp — container-runtime envelopes (src/core/envelope.cpp and their use by the Stream):
// Kubernetes CRI `F`/`P` lines and Docker json-file objects, pieces joined per stream, escapes
// decoded, stdout/stderr interleaving, `stream` and `ingest_ts_ns`, the runtime's time for lines
// without one (uvicorn), malformed envelope lines kept as plain lines, numbering in outer lines,
// the stats invariant, and auto-detection from the first line.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/envelope.hpp"
#include "stream_util.hpp"

namespace airlog::testing {
namespace {

// 2024-05-01T12:00:00Z and seconds after it.
constexpr int64_t kT0 = 1714564800LL * 1'000'000'000;
constexpr int64_t sec(double s) { return kT0 + static_cast<int64_t>(s * 1e9); }

Options with(Envelope e) {
  Options o;
  o.envelope = e;
  return o;
}

const std::string kRec1 = "[2024-01-02T00:00:01.000+0000] {a.py:1} INFO - first";
const std::string kRec2 = "[2024-01-02T00:00:02.000+0000] {a.py:2} ERROR - second";
constexpr int64_t kRec1Ns = 1704153601LL * 1'000'000'000;

// ---------------------------------------------------------------------------------------------
// The decoder's line readers.

TEST(EnvelopeCri, ReadsTimeStreamTagAndContent) {
  detail::EnvelopePiece p;
  ASSERT_TRUE(detail::parse_cri("2024-05-01T12:00:00.123456789Z stdout F hello world", &p));
  EXPECT_EQ(p.content, "hello world");
  EXPECT_EQ(p.channel, Channel::stdout_stream);
  EXPECT_EQ(p.time_ns, kT0 + 123456789);
  EXPECT_FALSE(p.partial);
  ASSERT_TRUE(detail::parse_cri("2024-05-01T14:00:00.5+02:00 stderr P  two spaces", &p));  // CRI-O: local offset
  EXPECT_EQ(p.content, " two spaces");
  EXPECT_EQ(p.channel, Channel::stderr_stream);
  EXPECT_EQ(p.time_ns, sec(0.5));
  EXPECT_TRUE(p.partial);
  ASSERT_TRUE(detail::parse_cri("2024-05-01T12:00:00Z stdout F", &p));  // an empty line
  EXPECT_EQ(p.content, "");
  ASSERT_TRUE(detail::parse_cri("2024-05-01T12:00:00Z stdout F ", &p));
  EXPECT_EQ(p.content, "");
  ASSERT_TRUE(detail::parse_cri("2024-05-01T12:00:00Z stdout F:x,y tagged", &p));  // more tags after ':'
  EXPECT_EQ(p.content, "tagged");
  for (const char* bad :
       {"", "hello", "2024-05-01T12:00:00Z", "2024-05-01T12:00:00Z stdout", "2024-05-01T12:00:00Z stdin F x",
        "2024-05-01T12:00:00Z stdout X x", "2024-05-01T12:00:00Z stdout Fx", "2024-05-01 12:00:00Z stdout F x",
        "2024-05-01T12:00:00 stdout F x", "2024-13-01T12:00:00Z stdout F x", "[2024-05-01T12:00:00Z] stdout F x",
        "2024-05-01T12:00:00Z  stdout F x"})
    EXPECT_FALSE(detail::parse_cri(bad, &p)) << bad;
}

TEST(EnvelopeDocker, DecodesEscapesInPlaceAndThroughAPaddedCopy) {
  simdjson::ondemand::parser parser;
  std::string pad;
  const std::string line =
      R"({"log":"tab\there \"q\" caf\u00e9 \u001b[31mred\u001b[0m back\\slash \u2603 \ud83d\ude00\r\n","stream":"stderr","time":"2024-05-01T12:00:01.5Z"})";
  const std::string expected =
      "tab\there \"q\" caf\xc3\xa9 \x1b[31mred\x1b[0m back\\slash \xe2\x98\x83 \xf0\x9f\x98\x80\r";
  detail::EnvelopePiece p;
  // Exactly sized: read through the padded copy.
  std::unique_ptr<char[]> exact(new char[line.size()]);
  std::memcpy(exact.get(), line.data(), line.size());
  ASSERT_TRUE(detail::parse_docker({exact.get(), line.size()}, line.size(), parser, pad, &p));
  EXPECT_EQ(p.content, expected);
  EXPECT_EQ(p.channel, Channel::stderr_stream);
  EXPECT_EQ(p.time_ns, sec(1.5));
  EXPECT_FALSE(p.partial);
  // With padding after it: read in place.
  std::string padded = line + std::string(simdjson::SIMDJSON_PADDING, ' ');
  ASSERT_TRUE(detail::parse_docker(std::string_view(padded).substr(0, line.size()), padded.size(), parser, pad, &p));
  EXPECT_EQ(p.content, expected);
  // A piece: no trailing "\n". Key order and extra members do not matter.
  ASSERT_TRUE(detail::parse_docker(
      R"({"time":"2024-05-01T12:00:00Z","attrs":{"a":"b"},"stream":"stdout","log":"piece"})", 0, parser, pad, &p));
  EXPECT_EQ(p.content, "piece");
  EXPECT_TRUE(p.partial);
  for (const char* bad : {
           R"({"log":"x\n","stream":"stdout"})",                                         // no time
           R"({"log":"x\n","time":"2024-05-01T12:00:00Z"})",                             // no stream
           R"({"stream":"stdout","time":"2024-05-01T12:00:00Z"})",                       // no log
           R"({"log":"x\n","stream":"stdin","time":"2024-05-01T12:00:00Z"})",            // unknown stream
           R"({"log":"x\n","stream":"stdout","time":"yesterday"})",                      // bad time
           R"({"log":1,"stream":"stdout","time":"2024-05-01T12:00:00Z"})",               // log not a string
           R"({"log":"a\nb\n","stream":"stdout","time":"2024-05-01T12:00:00Z"})",        // '\n' inside
           R"({"log":"x\n","stream":"stdout","time":"2024-05-01T12:00:00Z"} trailing)",  // text after
           R"({"log":"x\n","stream":"stdout","time":"2024-05-01T12:00:00Z")",            // truncated
           R"({"log":"\ud800","stream":"stdout","time":"2024-05-01T12:00:00Z"})",        // lone surrogate
           R"({"timestamp":"2025-04-22T09:00:05Z","level":"info","event":"hi"})",        // Airflow 3 JSON
       })
    EXPECT_FALSE(detail::parse_docker(bad, 0, parser, pad, &p)) << bad;
}

TEST(EnvelopeDetect, FromTheFirstLine) {
  simdjson::ondemand::parser parser;
  EXPECT_EQ(detail::detect_envelope("2024-05-01T12:00:00.1Z stdout F " + kRec1, parser), Envelope::cri);
  EXPECT_EQ(detail::detect_envelope(R"({"log":"x\n","stream":"stdout","time":"2024-05-01T12:00:00Z"})", parser),
            Envelope::docker);
  EXPECT_EQ(detail::detect_envelope(kRec1, parser), Envelope::none);
  EXPECT_EQ(detail::detect_envelope(R"({"timestamp":"2025-04-22T09:00:05Z","level":"info","event":"hi"})", parser),
            Envelope::none);
  EXPECT_EQ(detail::detect_envelope("2024-05-01T12:00:00.123456789Z [2024-01-02T00:00:01.000+0000] {a.py:1} INFO - x",
                                    parser),
            Envelope::none);  // `docker logs --timestamps`: an outer time, not CRI
}

// ---------------------------------------------------------------------------------------------
// Through the Stream.

TEST(EnvelopeStream, CriPartialPiecesAreJoinedAndCountAsTheirOuterLines) {
  const std::string text = "2024-05-01T12:00:00.123456789Z stdout F " + kRec1 +
                           "\n"
                           "2024-05-01T12:00:01Z stdout P [2024-01-02T00:00:02.000+0000] {a.py:2} INFO - par\n"
                           "2024-05-01T12:00:02Z stdout P ti\n"
                           "2024-05-01T12:00:03Z stdout F al line\n"
                           "2024-05-01T12:00:04Z stdout F " +
                           kRec2 +
                           "\n"
                           "2024-05-01T12:00:05Z stdout F Traceback (most recent call last):\n"
                           "2024-05-01T12:00:06Z stdout P   File \"x.py\", line 1, in <mod\n"
                           "2024-05-01T12:00:07Z stdout F ule>\n"
                           "2024-05-01T12:00:08Z stdout F ValueError: boom\n";
  Result r = parse_all_ways(text);
  ASSERT_EQ(r.events.size(), 3u) << r.jsonl;
  EXPECT_EQ(r.at(0).ev.line, 1u);
  EXPECT_EQ(r.at(0).ev.lines, 1u);
  EXPECT_EQ(r.at(0).message, "first");
  EXPECT_EQ(r.at(0).ev.ts_ns, kRec1Ns);  // its own time
  EXPECT_EQ(r.at(0).ev.ingest_ts_ns, kT0 + 123456789);
  EXPECT_TRUE(r.at(0).ev.has_ingest_ts);
  EXPECT_EQ(r.at(0).ev.channel, Channel::stdout_stream);
  EXPECT_EQ(r.at(1).ev.line, 2u);
  EXPECT_EQ(r.at(1).ev.lines, 3u);  // P + P + F
  EXPECT_EQ(r.at(1).message, "partial line");
  EXPECT_EQ(r.at(1).ev.ingest_ts_ns, sec(1));  // the first piece's time
  EXPECT_EQ(r.at(2).ev.line, 5u);
  EXPECT_EQ(r.at(2).ev.lines, 5u);  // the record, the header, a frame in two pieces, the exception
  EXPECT_EQ(r.at(2).message,
            "second\nTraceback (most recent call last):\n  File \"x.py\", line 1, in <module>\nValueError: boom");
  EXPECT_EQ(r.at(2).exception_type, "ValueError");
  EXPECT_EQ(r.at(2).exception_message, "boom");
  EXPECT_NE(r.at(0).json.find("\"stream\":\"stdout\",\"ingest_ts_ns\":1714564800123456789"), std::string::npos)
      << r.at(0).json;
}

TEST(EnvelopeStream, DockerEscapesAndPieces) {
  const std::string text =
      R"({"log":"[2024-01-02T00:00:01.000+0000] {a.py:1} INFO - tab\there \"q\" caf\u00e9 \u001b[31mred\u001b[0m\r\n","stream":"stdout","time":"2024-05-01T12:00:00.000000001Z"})"
      "\n"
      R"({"log":"\u001b[1mraw bold\u001b[0m \u003cb\u003e\n","stream":"stderr","time":"2024-05-01T12:00:01Z"})"
      "\n"
      R"({"log":"[2024-01-02T00:00:02.000+0000] {a.py:2} INFO - one ","stream":"stderr","time":"2024-05-01T12:00:02Z"})"
      "\n"
      R"({"log":"long line in ","stream":"stderr","time":"2024-05-01T12:00:03Z"})"
      "\n"
      R"({"log":"three pieces\n","stream":"stderr","time":"2024-05-01T12:00:04Z"})"
      "\n";
  Result r = parse_all_ways(text);
  ASSERT_EQ(r.events.size(), 3u) << r.jsonl;
  EXPECT_EQ(r.at(0).message, "tab\there \"q\" caf\xc3\xa9 red");  // ANSI removed from the record, CR too
  EXPECT_EQ(r.at(0).ev.format, Format::airflow_color);
  EXPECT_EQ(r.at(0).ev.ingest_ts_ns, kT0 + 1);
  // A raw line keeps its bytes: the plain parse of the decoded line says the same.
  Result plain = parse_whole("\x1b[1mraw bold\x1b[0m <b>\n");
  EXPECT_EQ(r.at(1).message, plain.at(0).message);
  EXPECT_EQ(r.at(1).ev.format, plain.at(0).ev.format);
  EXPECT_EQ(r.at(1).ev.ts_ns, sec(1));  // a raw line takes the runtime's time
  EXPECT_EQ(r.at(2).message, "one long line in three pieces");
  EXPECT_EQ(r.at(2).ev.line, 3u);
  EXPECT_EQ(r.at(2).ev.lines, 3u);
  EXPECT_EQ(r.at(2).ev.channel, Channel::stderr_stream);
  EXPECT_EQ(r.at(2).ev.ingest_ts_ns, sec(2));
}

TEST(EnvelopeStream, StdoutAndStderrInterleave) {
  // A record's traceback folds into it on the same stream; an uncaught exception on stderr does
  // not join the stdout record before it, and a stdout line does not join a stderr event.
  const std::string text = "2024-05-01T12:00:00Z stdout F " + kRec2 +
                           "\n"
                           "2024-05-01T12:00:01Z stdout F Traceback (most recent call last):\n"
                           "2024-05-01T12:00:02Z stdout F ValueError: handled\n"
                           "2024-05-01T12:00:03Z stdout F " +
                           kRec1 +
                           "\n"
                           "2024-05-01T12:00:04Z stderr F Traceback (most recent call last):\n"
                           "2024-05-01T12:00:05Z stderr F   File \"/opt/airflow/dags/d.py\", line 3, in <module>\n"
                           "2024-05-01T12:00:06Z stderr F KeyError: 'uncaught'\n"
                           "2024-05-01T12:00:07Z stderr F [2024-01-02T00:00:03.000+0000] {a.py:3} WARNING - on stderr\n"
                           "2024-05-01T12:00:08Z stdout F printed to stdout\n";
  Result r = parse_all_ways(text);
  ASSERT_EQ(r.events.size(), 5u) << r.jsonl;
  EXPECT_EQ(r.at(0).ev.lines, 3u);
  EXPECT_EQ(r.at(0).exception_type, "ValueError");
  EXPECT_EQ(r.at(0).ev.channel, Channel::stdout_stream);
  EXPECT_EQ(r.at(1).ev.lines, 1u);
  EXPECT_EQ(r.at(1).message, "first");
  EXPECT_EQ(r.at(2).ev.format, Format::traceback);
  EXPECT_EQ(r.at(2).ev.line, 5u);
  EXPECT_EQ(r.at(2).ev.lines, 3u);
  EXPECT_EQ(r.at(2).exception_type, "KeyError");
  EXPECT_EQ(r.at(2).ev.channel, Channel::stderr_stream);
  EXPECT_EQ(r.at(2).ev.ts_ns, sec(4));  // no time of its own
  EXPECT_EQ(r.at(3).ev.channel, Channel::stderr_stream);
  EXPECT_EQ(r.at(3).ev.lines, 1u);
  EXPECT_EQ(r.at(4).ev.format, Format::raw);  // not folded into the stderr record
  EXPECT_EQ(r.at(4).ev.channel, Channel::stdout_stream);
}

TEST(EnvelopeStream, PiecesOfOneStreamAroundLinesOfTheOther) {
  // containerd copies stdout and stderr concurrently: a stderr line can fall between the pieces
  // of a stdout line. The joined line comes once complete, numbered by its first piece.
  const std::string text =
      "2024-05-01T12:00:00Z stdout P [2024-01-02T00:00:01.000+0000] {a.py:1} INFO - out \n"
      "2024-05-01T12:00:01Z stderr F [2024-01-02T00:00:02.000+0000] {a.py:2} WARNING - err\n"
      "2024-05-01T12:00:02Z stderr P [2024-01-02T00:00:03.000+0000] {a.py:3} WARNING - err \n"
      "2024-05-01T12:00:03Z stdout F line\n"
      "2024-05-01T12:00:04Z stderr F two\n";
  for (const Envelope e : {Envelope::auto_detect, Envelope::cri}) {
    Result r = parse_all_ways(text, with(e));
    ASSERT_EQ(r.events.size(), 3u) << r.jsonl;
    EXPECT_EQ(r.at(0).message, "err");
    EXPECT_EQ(r.at(0).ev.line, 2u);
    EXPECT_EQ(r.at(1).message, "out line");
    EXPECT_EQ(r.at(1).ev.line, 1u);
    EXPECT_EQ(r.at(1).ev.lines, 2u);
    EXPECT_EQ(r.at(1).ev.channel, Channel::stdout_stream);
    EXPECT_EQ(r.at(2).message, "err two");
    EXPECT_EQ(r.at(2).ev.line, 3u);
    EXPECT_EQ(r.at(2).ev.lines, 2u);
  }
}

TEST(EnvelopeStream, LineWithoutTimeTakesTheRuntimesTime) {
  const std::string text =
      "2024-05-01T12:00:00.25Z stdout F INFO:     10.0.0.5:51234 - \"GET /api/v2/monitor/health HTTP/1.1\" 200 OK\n"
      "2024-05-01T12:00:01Z stdout F INFO:     Application startup complete.\n"
      "2024-05-01T12:00:02Z stdout F " +
      kRec1 + "\n";
  Result r = parse_all_ways(text);
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(r.at(0).ev.format, Format::uvicorn_access);
  EXPECT_EQ(r.at(0).http_path, "/api/v2/monitor/health");
  EXPECT_EQ(r.at(0).ev.ts_ns, sec(0.25));
  EXPECT_EQ(r.at(0).ev.ingest_ts_ns, sec(0.25));
  EXPECT_EQ(r.at(1).ev.format, Format::uvicorn);
  EXPECT_EQ(r.at(1).ev.ts_ns, sec(1));
  EXPECT_EQ(r.at(2).ev.ts_ns, kRec1Ns);  // the line's own time wins
  EXPECT_EQ(r.at(2).ev.ingest_ts_ns, sec(2));
}

TEST(EnvelopeStream, AirflowJsonChanWinsOverTheEnvelopeStream) {
  const std::string text =
      R"(2024-05-01T12:00:00Z stdout F {"timestamp":"2025-04-22T09:00:05.431002Z","level":"info","event":"hello","chan":"stderr","logger":"task"})"
      "\n"
      R"(2024-05-01T12:00:01Z stderr F {"timestamp":"2025-04-22T09:00:06Z","level":"info","event":"no chan","logger":"task"})"
      "\n";
  Result r = parse_all_ways(text);
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.at(0).ev.format, Format::airflow_json);
  EXPECT_EQ(r.at(0).ev.channel, Channel::stderr_stream);
  EXPECT_EQ(r.at(0).ev.ingest_ts_ns, sec(0));
  EXPECT_EQ(r.at(1).ev.channel, Channel::stderr_stream);
}

TEST(EnvelopeStream, MalformedEnvelopeLinesAreKeptAsPlainLines) {
  const std::vector<std::string> bad_cri = {
      "garbage without an envelope",
      "2024-13-01T12:00:00Z stdout F bad month",
      "2024-05-01T12:00:00Z stdin F bad stream",
      "2024-05-01T12:00:00Z stdout X bad tag",
      "",
      std::string("\xff\xfe binary \0 bytes", 18),
  };
  std::string text = "2024-05-01T12:00:00Z stdout F " + kRec1 + "\n";
  for (const std::string& b : bad_cri) text += b + "\n";
  text += "2024-05-01T12:00:09Z stdout F " + kRec2 + "\n";
  Result r = parse_all_ways(text);
  // The first record folds nothing: a pass-through line has no stream, the record has stdout.
  ASSERT_EQ(r.events.size(), 2 + bad_cri.size()) << r.jsonl;
  for (size_t i = 0; i < bad_cri.size(); ++i) {
    const OwnedEvent& e = r.at(i + 1);
    EXPECT_EQ(e.ev.line, i + 2);
    EXPECT_EQ(e.ev.lines, 1u);
    EXPECT_EQ(e.message, bad_cri[i]);
    EXPECT_EQ(e.ev.channel, Channel::none);
    EXPECT_FALSE(e.ev.has_ingest_ts);
  }
  EXPECT_EQ(r.events.back().ev.line, bad_cri.size() + 2);

  const std::vector<std::string> bad_docker = {
      R"({"log":"truncated\n","stream":"stdout","ti)",
      R"({"log":"no time\n","stream":"stdout"})",
      R"({"log":"a\nb\n","stream":"stdout","time":"2024-05-01T12:00:00Z"})",
      "plain text between",
  };
  text = R"({"log":"first\n","stream":"stdout","time":"2024-05-01T12:00:00Z"})"
         "\n";
  for (const std::string& b : bad_docker) text += b + "\n";
  // An Airflow 3 JSON line among Docker lines is a plain line: it is read as JSON.
  text += R"({"timestamp":"2025-04-22T09:00:05Z","level":"error","event":"direct","logger":"task"})";  // no final '\n'
  Result d = parse_all_ways(text);
  ASSERT_EQ(d.events.size(), 2 + bad_docker.size()) << d.jsonl;
  EXPECT_EQ(d.at(0).message, "first");
  for (size_t i = 0; i < bad_docker.size(); ++i) {
    EXPECT_EQ(d.at(i + 1).message, bad_docker[i]);
    EXPECT_EQ(d.at(i + 1).ev.line, i + 2);
  }
  EXPECT_TRUE(d.at(1).ev.flags & kFlagInvalidJson);
  EXPECT_EQ(d.events.back().ev.format, Format::airflow_json);
  EXPECT_EQ(d.events.back().message, "direct");
}

TEST(EnvelopeStream, UnfinishedPiecesAtTheEndAreEmitted) {
  const std::string text =
      "2024-05-01T12:00:00Z stderr P [2024-01-02T00:00:01.000+0000] {a.py:1} INFO - cut \n"
      "2024-05-01T12:00:01Z stdout P short\n"
      "2024-05-01T12:00:02Z stderr P off";  // the container stopped mid-line
  Result r = parse_all_ways(text);
  ASSERT_EQ(r.events.size(), 2u) << r.jsonl;
  EXPECT_EQ(r.at(0).message, "cut off");  // in the order of their first pieces
  EXPECT_EQ(r.at(0).ev.lines, 2u);
  EXPECT_EQ(r.at(1).message, "short");
  EXPECT_EQ(r.at(1).ev.line, 2u);
}

TEST(EnvelopeStream, JoinedLineLongerThanTheCapIsCut) {
  Options o;
  o.max_line_bytes = 100;
  std::string text;
  for (int i = 0; i < 30; ++i)
    text += "2024-05-01T12:00:00Z stdout P " + std::string(50, static_cast<char>('a' + i % 26)) + "\n";
  text += "2024-05-01T12:00:00Z stdout F end\n";
  text += "2024-05-01T12:00:01Z stdout F " + kRec1 + "\n";
  Result r = parse_all_ways(text, o);
  ASSERT_EQ(r.events.size(), 2u) << r.jsonl;
  EXPECT_TRUE(r.at(0).truncated());
  EXPECT_EQ(r.at(0).message, std::string(50, 'a') + std::string(50, 'b'));
  EXPECT_EQ(r.at(0).ev.lines, 31u);
  EXPECT_EQ(r.at(1).ev.line, 32u);
  // No cap at all: nothing is cut (and no arithmetic on the cap overflows).
  o.max_line_bytes = SIZE_MAX;
  Result u = parse_all_ways(text, o);
  ASSERT_EQ(u.events.size(), 2u);
  EXPECT_FALSE(u.at(0).truncated());
  EXPECT_EQ(u.at(0).message.size(), 30u * 50 + 3);
}

TEST(EnvelopeDetection, FirstLineDecidesAndOptionsForce) {
  const std::string cri = "2024-05-01T12:00:00Z stdout F " + kRec1 + "\n";
  const std::string docker =
      R"({"log":"[2024-01-02T00:00:01.000+0000] {a.py:1} INFO - first\n","stream":"stdout","time":"2024-05-01T12:00:00Z"})"
      "\n";
  const std::string plain = kRec2 + "\n";
  // Auto: decided by the first line, kept for the source.
  Result a = parse_all_ways(cri + plain + cri);
  ASSERT_EQ(a.events.size(), 3u);
  EXPECT_EQ(a.at(0).ev.channel, Channel::stdout_stream);
  EXPECT_EQ(a.at(1).ev.channel, Channel::none);  // a plain line in a CRI source passes through
  EXPECT_EQ(a.at(1).message, "second");
  Result b = parse_all_ways(plain + cri);  // a plain source: CRI prefixes are not decoded
  ASSERT_EQ(b.events.size(), 1u);          // (the unrecognised line folds into the record)
  EXPECT_EQ(b.at(0).message, "second\n" + cri.substr(0, cri.size() - 1));
  EXPECT_EQ(b.at(0).ev.channel, Channel::none);
  EXPECT_FALSE(b.at(0).ev.has_ingest_ts);
  Result c = parse_all_ways(docker + docker);
  ASSERT_EQ(c.events.size(), 2u);
  EXPECT_EQ(c.at(1).message, "first");
  // Forced: decoded even when the first line is not an envelope; or never decoded.
  Result d = parse_all_ways(plain + cri, with(Envelope::cri));
  ASSERT_EQ(d.events.size(), 2u);
  EXPECT_EQ(d.at(1).ev.channel, Channel::stdout_stream);
  EXPECT_EQ(d.at(1).message, "first");
  Result e = parse_all_ways(cri, with(Envelope::none));
  ASSERT_EQ(e.events.size(), 1u);
  EXPECT_EQ(e.at(0).ev.channel, Channel::none);
  Result f = parse_all_ways(docker, with(Envelope::cri));  // the wrong envelope: lines pass through
  ASSERT_EQ(f.events.size(), 1u);
  EXPECT_EQ(f.at(0).message, docker.substr(0, docker.size() - 1));
  // A first line without its '\n' decides at the end of the input.
  Result g = parse_all_ways(cri.substr(0, cri.size() - 1));
  ASSERT_EQ(g.events.size(), 1u);
  EXPECT_EQ(g.at(0).message, "first");
}

TEST(EnvelopeStream, ChunkedParseCallsMatchOneCall) {
  // Stream::parse (the consumed protocol) decodes envelopes too.
  WrapOptions w;
  w.split_percent = 40;
  w.switch_percent = 30;
  for (const std::string& text : {wrap_cri(mixed_input(), w), wrap_docker(fold_heavy_input(), w)}) {
    Result whole = parse_whole(text);
    EXPECT_EQ(whole.stats.lines_in, count_lines(text));
    for (size_t piece : {1, 5, 64, 1000}) EXPECT_EQ(parse_in_pieces(text, piece).jsonl, whole.jsonl) << piece;
  }
}

}  // namespace
}  // namespace airlog::testing
