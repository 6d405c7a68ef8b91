// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/process/usage.hpp>

#include "support/co_test.hpp"
#include "support/sim_agent.hpp"

#include <cohort/process/process.hpp>

#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <fstream>
#include <limits>
#include <string>
#include <string_view>

namespace asio = boost::asio;
using cohort::test::sim;
using cohort::test::temp_dir;

namespace {

// Shaped like `claude -p --output-format json` prints it (fields trimmed).
constexpr std::string_view claude_json =
    R"({"type":"result","subtype":"success","is_error":false,"duration_ms":2310,)"
    R"("duration_api_ms":2100,"num_turns":4,"result":"Done: 3 files changed.",)"
    R"("session_id":"9f1c","total_cost_usd":0.0421,"usage":{"input_tokens":1500,)"
    R"("cache_creation_input_tokens":300,"cache_read_input_tokens":12000,"output_tokens":420,)"
    R"("server_tool_use":{"web_search_requests":0},"service_tier":"standard"}})";

constexpr std::string_view claude_rate_limited =
    R"({"type":"result","subtype":"error_during_execution","is_error":true,"num_turns":1,)"
    R"("result":"API Error: 429 {\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\"}}",)"
    R"("session_id":"x","total_cost_usd":0,"usage":{"input_tokens":0,"output_tokens":0}})";

} // namespace

BOOST_AUTO_TEST_SUITE(usage)

BOOST_AUTO_TEST_CASE(claude_json_result_object_is_parsed) {
  auto u = cohort::parse_claude_output(claude_json);
  BOOST_REQUIRE(u);
  BOOST_TEST(u->input_tokens == 1500u);
  BOOST_TEST(u->output_tokens == 420u);
  BOOST_TEST(u->cache_creation_input_tokens == 300u);
  BOOST_TEST(u->cache_read_input_tokens == 12000u);
  BOOST_TEST(u->total() == 14220u);
  BOOST_TEST(u->cost_usd.value_or(-1) == 0.0421);
  BOOST_TEST(u->session_id == "9f1c");
  BOOST_TEST(u->num_turns.value_or(-1) == 4);
  BOOST_TEST(!u->is_error);
  BOOST_TEST(!u->rate_limited);
}

BOOST_AUTO_TEST_CASE(stream_json_takes_the_last_result_line) {
  std::string text = R"({"type":"system","subtype":"init","session_id":"9f1c"})" "\n"
                     R"({"type":"assistant","message":{"content":[]}})" "\n";
  text.append(claude_json).append("\n");
  auto u = cohort::parse_claude_output(text);
  BOOST_REQUIRE(u);
  BOOST_TEST(u->output_tokens == 420u);
  // A first line cut by reading only a file's tail is skipped.
  auto cut = cohort::parse_claude_output(text.substr(20));
  BOOST_REQUIRE(cut);
  BOOST_TEST(cut->input_tokens == 1500u);
}

BOOST_AUTO_TEST_CASE(verbose_json_array_takes_its_result_element) {
  std::string text = R"([{"type":"system","subtype":"init"},)";
  text.append(claude_json).append("]");
  auto u = cohort::parse_claude_output(text);
  BOOST_REQUIRE(u);
  BOOST_TEST(u->cache_read_input_tokens == 12000u);
}

BOOST_AUTO_TEST_CASE(garbage_means_usage_unknown) {
  const std::array<std::string_view, 12> garbage{
      "", "   \n", "not json at all", "{", R"({"type":"result","usage":)", "[1,2,3]", "42",
      R"({"type":"assistant"})",
      R"({"type":"result","usage":{"input_tokens":"many","output_tokens":1}})",
      R"({"type":"result","usage":{"input_tokens":-5,"output_tokens":1}})",
      R"({"type":"result","usage":[1]})", "\x01\x02\xff\xfe{{{{"};
  for (auto g : garbage) {
    BOOST_TEST(!cohort::parse_claude_output(g), g);
    BOOST_TEST(!cohort::parse_usage_file(g), g);
  }
  BOOST_TEST(!cohort::parse_usage_file(R"({"input_tokens":1})"));  // output_tokens is required
  BOOST_TEST(!cohort::parse_usage_file(R"({"input_tokens":1.5,"output_tokens":1})"));
}

BOOST_AUTO_TEST_CASE(plain_usage_file_is_parsed) {
  auto u = cohort::parse_usage_file(
      R"({"input_tokens":10,"output_tokens":20,"cost_usd":0.5,"rate_limited":true,"retry_after_ms":20000,"x":1})");
  BOOST_REQUIRE(u);
  BOOST_TEST(u->input_tokens == 10u);
  BOOST_TEST(u->output_tokens == 20u);
  BOOST_TEST(u->cost_usd.value_or(-1) == 0.5);
  BOOST_TEST(u->rate_limited);
  BOOST_TEST(u->retry_after_ms.value_or(0) == 20000u);
  auto claude = cohort::parse_usage_file(claude_json);  // a Claude result object works there too
  BOOST_REQUIRE(claude);
  BOOST_TEST(claude->output_tokens == 420u);
  temp_dir dir;
  BOOST_TEST(!cohort::read_usage_file(dir / "missing.json"));
  { std::ofstream(dir / "big.json") << std::string(100000, ' ') << "{}"; }
  BOOST_TEST(!cohort::read_usage_file(dir / "big.json"));  // beyond max_bytes
}

BOOST_AUTO_TEST_CASE(rate_limits_are_recognised) {
  auto u = cohort::parse_claude_output(claude_rate_limited);
  BOOST_REQUIRE(u);
  BOOST_TEST(u->is_error);
  BOOST_TEST(u->rate_limited);
  BOOST_TEST(cohort::is_rate_limit_message("Claude AI usage limit reached|1750000000"));
  BOOST_TEST(cohort::is_rate_limit_message("API Error: 529 Overloaded"));
  BOOST_TEST(!cohort::is_rate_limit_message("TypeError: undefined is not a function"));
  // 429 as a number of its own, not inside another (a port): a 401 from a server on port 42915
  // once read as a rate limit.
  BOOST_TEST(cohort::is_rate_limit_message("unexpected status 429 Too Many Requests"));
  BOOST_TEST(cohort::is_rate_limit_message("429"));
  BOOST_TEST(!cohort::is_rate_limit_message("connect to http://127.0.0.1:42915/v1 failed"));
  BOOST_TEST(!cohort::is_rate_limit_message("listening on :14290"));
  BOOST_TEST((cohort::classify_error_text("unexpected status 401 Unauthorized: invalid x-api-key, url: "
                                          "http://127.0.0.1:42915/v1/responses") ==
              cohort::agent_error::authentication));
  // An error that is not about limits, and a success that mentions one, are not rate limits.
  auto other = cohort::parse_claude_output(
      R"({"type":"result","subtype":"error_max_turns","is_error":true,"result":"stopped"})");
  BOOST_REQUIRE(other);
  BOOST_TEST(!other->rate_limited);
  auto fine = cohort::parse_claude_output(
      R"({"type":"result","is_error":false,"result":"fixed the rate limit bug"})");
  BOOST_REQUIRE(fine);
  BOOST_TEST(!fine->rate_limited);
}

namespace {

// A finished agent that printed `out` and exited with `code`, as read_usage sees it.
cohort::reported_usage reported(const temp_dir& dir, std::string_view out, int code) {
  cohort::process_result r;
  r.exit_code = code;
  r.stdout_file = dir / "out";
  std::ofstream(r.stdout_file, std::ios::binary) << out;
  return cohort::read_usage(r);
}

// Claude Code 2.1.332's result objects as it printed them against the mock model server
// (tests/agents), trimmed: `subtype` says "success" on an API error; the fields say what.
std::string claude_error(int status, std::string_view type, std::string_view message) {
  return std::string(R"({"type":"result","subtype":"success","is_error":true,"api_error_status":)") +
         std::to_string(status) + R"(,"api_error_type":")" + std::string(type) + R"(","result":")" +
         std::string(message) + R"(","terminal_reason":"api_error","total_cost_usd":0,"num_turns":1,)" +
         R"("usage":{"input_tokens":0,"output_tokens":0},"permission_denials":[]})";
}

} // namespace

BOOST_AUTO_TEST_CASE(claude_codes_errors_are_read_from_its_fields_and_its_own_words_kept) {
  temp_dir dir;
  using cohort::agent_error;
  const std::string key = "Invalid API key \u00b7 Fix external API key";
  struct row {
    std::string out;
    agent_error error;
    std::string message;
  };
  const std::array<row, 6> rows{{
      {claude_error(429, "rate_limit_error", "API Error: Request rejected (429)"), agent_error::rate_limited,
       "API Error: Request rejected (429)"},
      {claude_error(529, "overloaded_error", "API Error: 529 Overloaded."), agent_error::overloaded,
       "API Error: 529 Overloaded."},
      {claude_error(401, "authentication_error", key), agent_error::authentication,
       "Invalid API key \u00b7 Fix external API key"},
      {claude_error(400, "invalid_request_error", "API Error: 400 prompt is too long"), agent_error::bad_request,
       "API Error: 400 prompt is too long"},
      // `claude -p` without JSON output: its last line is the message.
      {"API Error: Request rejected (429) \u00b7 Number of request tokens has exceeded your per-minute rate limit\n",
       agent_error::rate_limited, "API Error: Request rejected (429) \u00b7 Number of request tokens has exceeded your per-minute rate limit"},
      {"Invalid API key \u00b7 Fix external API key\n", agent_error::authentication,
       "Invalid API key \u00b7 Fix external API key"},
  }};
  for (const auto& r : rows) {
    BOOST_TEST_CONTEXT(r.out) {
      const auto rep = reported(dir, r.out, 1);
      BOOST_TEST(to_string(rep.error) == to_string(r.error));
      BOOST_TEST(rep.message == r.message);
      BOOST_TEST(rep.rate_limited == (r.error == agent_error::rate_limited || r.error == agent_error::overloaded));
    }
  }
  // A failure that says nothing known is `other`; a success with text about limits is none.
  BOOST_TEST(to_string(reported(dir, "TypeError: x is undefined\n", 1).error) == "other");
  BOOST_TEST(to_string(reported(dir, R"({"type":"result","is_error":false,"result":"fixed the 429 handling"})", 0).error) ==
             "none");
  // Text output that happens to mention a limit on an earlier line is not taken for an API error.
  BOOST_TEST(to_string(reported(dir, "API Error: 429 in the log we read\nbuild failed\n", 1).error) == "other");
}

BOOST_AUTO_TEST_CASE(tool_calls_refused_make_a_successful_exit_a_refusal_naming_them) {
  temp_dir dir;
  const auto rep = reported(
      dir,
      R"({"type":"result","subtype":"success","is_error":false,"result":"mock: done","total_cost_usd":0.0025,)"
      R"("usage":{"input_tokens":200,"output_tokens":40},"permission_denials":[{"tool_name":"Write",)"
      R"("tool_use_id":"toolu_1","tool_input":{"file_path":"/w/hello.txt","content":"x"}},{"tool_name":"Bash",)"
      R"("tool_use_id":"toolu_2","tool_input":{"command":"echo hi > bash.txt"}}]})",
      0);
  BOOST_TEST(to_string(rep.error) == "refused");
  BOOST_TEST(rep.message == "Write /w/hello.txt, Bash echo hi > bash.txt");
  BOOST_REQUIRE(rep.usage);
  BOOST_TEST(rep.usage->cost_usd.value_or(0) == 0.0025);
}

// Codex 0.171.0 and Gemini CLI 0.61.0 as they printed it against the mock model server.
BOOST_AUTO_TEST_CASE(codex_and_gemini_usage_and_errors_are_read) {
  temp_dir dir;
  const std::string codex =
      R"j({"type":"thread.started","thread_id":"01a2"})j" "\n"
      R"j({"type":"turn.started"})j" "\n"
      R"j({"type":"item.completed","item":{"id":"item_0","type":"agent_message","text":"mock: done"}})j" "\n"
      R"j({"type":"turn.completed","usage":{"input_tokens":1100,"cached_input_tokens":1000,"cache_write_input_tokens":0,"output_tokens":20,"reasoning_output_tokens":0}})j" "\n"
      R"j({"type":"turn.completed","usage":{"input_tokens":1200,"cached_input_tokens":1000,"cache_write_input_tokens":0,"output_tokens":30,"reasoning_output_tokens":5}})j" "\n";
  auto rep = reported(dir, codex, 0);
  BOOST_REQUIRE(rep.usage);
  BOOST_TEST(rep.usage->input_tokens == 300u);  // input_tokens count the cached ones too
  BOOST_TEST(rep.usage->cache_read_input_tokens == 2000u);
  BOOST_TEST(rep.usage->output_tokens == 55u);
  BOOST_TEST(to_string(rep.error) == "none");
  const std::string codex_limited =
      R"j({"type":"turn.started"})j" "\n"
      R"j({"type":"error","message":"Reconnecting... 1/1 (exceeded retry limit, last status: 429 Too Many Requests)"})j" "\n"
      R"j({"type":"turn.failed","error":{"message":"exceeded retry limit, last status: 429 Too Many Requests"}})j" "\n";
  rep = reported(dir, codex_limited, 1);
  BOOST_TEST(to_string(rep.error) == "rate_limited");
  BOOST_TEST(rep.message == "exceeded retry limit, last status: 429 Too Many Requests");
  const std::string codex_key =
      R"j({"type":"turn.failed","error":{"message":"unexpected status 401 Unauthorized: invalid x-api-key, url: http://127.0.0.1:1/v1/responses"}})j" "\n";
  BOOST_TEST(to_string(reported(dir, codex_key, 1).error) == "authentication");

  const std::string gemini = R"j({"session_id":"320a","response":"mock: done","stats":{"models":{"mock":)j"
                             R"j({"api":{"totalRequests":1},"tokens":{"input":100,"prompt":1100,"candidates":20,)j"
                             R"j("total":1120,"cached":1000,"thoughts":4,"tool":0}}},"tools":{"totalCalls":0}}})j";
  rep = reported(dir, gemini, 0);
  BOOST_REQUIRE(rep.usage);
  BOOST_TEST(rep.usage->input_tokens == 100u);
  BOOST_TEST(rep.usage->cache_read_input_tokens == 1000u);
  BOOST_TEST(rep.usage->output_tokens == 24u);
  BOOST_TEST(rep.usage->message == "mock: done");
  // Gemini's error: a stack trace, then its object, on stderr.
  cohort::process_result r;
  r.exit_code = 145;
  r.stdout_file = dir / "empty";
  std::ofstream(r.stdout_file).flush();
  r.stderr_file = dir / "err";
  std::ofstream(r.stderr_file) << "    at async Turn.run (file:///x.js:1:2) {\n  status: 401\n}\n"
                                  "{\n  \"session_id\": \"71af\",\n  \"error\": {\n    \"type\": \"Error\",\n"
                                  "    \"message\": \"{\\\"error\\\":{\\\"code\\\":401,\\\"message\\\":\\\"invalid x-api-key\\\"}}\",\n"
                                  "    \"code\": 401\n  }\n}\n";
  rep = cohort::read_usage(r);
  BOOST_TEST(to_string(rep.error) == "authentication");
  BOOST_TEST(rep.message == "invalid x-api-key");
  // An agent that exited well is not taken at its output's word: an error object it printed
  // (its task may be about error handling) does not stop the run.
  BOOST_TEST(to_string(reported(dir, R"j({"error":{"code":401,"message":"invalid x-api-key"}})j", 0).error) == "none");
  BOOST_TEST(to_string(reported(dir, "Invalid API key \u00b7 Fix external API key\n", 0).error) == "none");
  // Nor is a line that only mentions one, on a failed exit.
  BOOST_TEST(to_string(reported(dir, "the test checks for 'Invalid API key'\n", 1).error) == "other");
}

// Reported figures that would corrupt a budget are refused or saturate.
BOOST_AUTO_TEST_CASE(a_negative_cost_is_refused_and_huge_counts_saturate) {
  const auto u = cohort::parse_usage_file(R"({"input_tokens":1,"output_tokens":1,"cost_usd":-5})");
  BOOST_REQUIRE(u);
  BOOST_TEST(!u->cost_usd.has_value());
  cohort::token_usage huge;
  huge.input_tokens = 10;
  huge.cache_read_input_tokens = std::numeric_limits<std::uint64_t>::max();
  huge.cache_creation_input_tokens = std::numeric_limits<std::uint64_t>::max();
  BOOST_TEST(huge.weighted({100, 100}) == std::numeric_limits<std::uint64_t>::max());
  cohort::token_usage small;
  small.input_tokens = 200;
  small.output_tokens = 40;
  small.cache_creation_input_tokens = 100;
  small.cache_read_input_tokens = 2000;
  BOOST_TEST(small.weighted({}) == 565u);  // 200 + 40 + 1.25 x 100 + 0.1 x 2000
}

CO_TEST_CASE(read_usage_reads_what_the_sim_agent_reports) {
  temp_dir dir;
  cohort::process_options o;
  o.stdout_file = dir / "out";
  o.usage_file = dir / "usage.json";

  o.argv = sim({"--usage", "json", "--tokens", "111,22"});
  auto r = co_await cohort::run_process(o);
  auto rep = cohort::read_usage(r);
  BOOST_REQUIRE(rep.usage);
  BOOST_TEST((rep.source == cohort::usage_source::claude_output));
  BOOST_TEST(rep.usage->input_tokens == 111u);
  BOOST_TEST(rep.usage->output_tokens == 22u);
  BOOST_TEST(!rep.rate_limited);

  // stream-json after 3 MB of other output: only the file's tail is read, and it suffices.
  o.argv = sim({"--flood-stdout", "3000000", "--usage", "stream-json", "--tokens", "5,6"});
  rep = cohort::read_usage(co_await cohort::run_process(o), 64 * 1024);
  BOOST_REQUIRE(rep.usage);
  BOOST_TEST(rep.usage->output_tokens == 6u);

  o.argv = sim({"--usage-file", "--tokens", "7,8"});  // COHORT_USAGE_FILE
  rep = cohort::read_usage(co_await cohort::run_process(o));
  BOOST_REQUIRE(rep.usage);
  BOOST_TEST((rep.source == cohort::usage_source::usage_file));
  BOOST_TEST(rep.usage->input_tokens == 7u);

  o.argv = sim({"--flood-stdout", "1000"});  // says nothing: unknown, and no stale file is read
  rep = cohort::read_usage(co_await cohort::run_process(o));
  BOOST_TEST(!rep.usage);
  BOOST_TEST((rep.source == cohort::usage_source::unknown));

  o.argv = sim({"--rate-limit", "--usage", "json"});
  r = co_await cohort::run_process(o);
  BOOST_TEST(r.exit_code.value_or(-1) == cohort::rate_limited_exit_code);
  BOOST_TEST(cohort::read_usage(r).rate_limited);

  o.argv = sim({"--exit", "75"});  // the exit code alone says it
  BOOST_TEST(cohort::read_usage(co_await cohort::run_process(o)).rate_limited);
}

BOOST_AUTO_TEST_SUITE_END()
