// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_PROCESS_USAGE_HPP
#define COHORT_PROCESS_USAGE_HPP

#include <cohort/core/config.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cohort {

struct process_result;

/// The exit code by which any agent says "rate limited, try again later" (EX_TEMPFAIL).
inline constexpr int rate_limited_exit_code = 75;

/// The tokens one agent launch reports having used.
/**
 * Read from either of two sources, after the agent has exited:
 *
 * 1. **Claude Code's result object** on stdout: `claude -p --output-format json` prints one
 *    JSON object (or, with `--verbose`, an array whose last `"type":"result"` element counts);
 *    `--output-format stream-json` prints JSON lines, the last `{"type":"result",...}` of which
 *    counts. Fields read: `usage.input_tokens`, `usage.output_tokens`,
 *    `usage.cache_creation_input_tokens`, `usage.cache_read_input_tokens`, `total_cost_usd`,
 *    `session_id`, `is_error`, `num_turns`, `subtype`, `result`.
 *
 *    Gemini CLI's and Codex's JSON output are read alike (`parse_agent_output`).
 *
 * 2. **The plain protocol**, for any agent: cohort passes a path in the environment variable
 *    `COHORT_USAGE_FILE`; the agent writes there, before it exits, one JSON object:
 *    @code
 *    {"input_tokens": 1200, "output_tokens": 340,          // required, integers >= 0
 *     "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,   // optional
 *     "cost_usd": 0.0123,                                 // optional, number
 *     "session_id": "abc",                                // optional, string
 *     "rate_limited": false,                              // optional, bool
 *     "retry_after_ms": 20000}                            // optional: how long the provider said to wait
 *    @endcode
 *    A Claude Code result object written there is accepted too.
 *
 * Claude Code's errors are read from the structured fields first: `api_error_status` (429,
 * 529, 401, ...), `api_error_type` (`rate_limit_error`, ...), `permission_denials` (tool calls
 * it refused: with `is_error` false all the same), and the message in `result`; the text of an
 * `is_error` result, or a failed agent's last output line (`claude -p` without JSON output
 * prints `API Error: ...` alone), only when no field says. See `agent_error`.
 *
 * An agent is **rate limited** when it exits with `rate_limited_exit_code` (75), or writes
 * `"rate_limited": true`, or Claude Code reports a rate limit or an overload as above.
 */
struct token_usage {
  // tag::outline[]
  std::uint64_t input_tokens = 0;
  std::uint64_t output_tokens = 0;
  std::uint64_t cache_creation_input_tokens = 0;
  std::uint64_t cache_read_input_tokens = 0;
  std::optional<double> cost_usd;  ///< `total_cost_usd` or `cost_usd`, when reported
  std::string session_id;          ///< empty when not reported
  std::optional<int> num_turns;
  bool is_error = false;      ///< Claude Code says the run failed
  bool rate_limited = false;  ///< the report itself says so (see above)
  std::optional<std::uint64_t> retry_after_ms;  ///< how long the agent was told to wait
  std::optional<int> api_error_status;  ///< the HTTP status of the model API's error
  std::string api_error_type;           ///< `rate_limit_error`, `overloaded_error`, ...
  std::string message;                  ///< the agent's final message (`result`), at most 2 KB
  std::vector<std::string> permission_denials;  ///< tool calls refused: "Write /abs/path"

  /// Every token counted: input, output and both cache kinds.
  std::uint64_t total() const noexcept {
    return input_tokens + output_tokens + cache_creation_input_tokens + cache_read_input_tokens;
  }
  /// Tokens as a budget counts them: cache writes and reads weighted by what they cost against
  /// an input token (`cache_weights`), rounded up.
  std::uint64_t weighted(const struct cache_weights& w) const noexcept;
  // end::outline[]
};

/// What a cached token costs against an input token, as the provider prices them: a cache
/// write 1.25, a cache read 0.1 (Anthropic's prices; OpenAI and Google price reads alike).
struct cache_weights {
  double write = 1.25;
  double read = 0.1;
};

/// What went wrong with an agent, as far as it said.
enum class agent_error {
  none,
  rate_limited,    ///< HTTP 429, a rate or usage limit: try later, run-wide
  overloaded,      ///< HTTP 529/503: the provider is overloaded: try later, run-wide
  authentication,  ///< HTTP 401/403: a bad key or no permission: no attempt can succeed
  bad_request,     ///< HTTP 400/404/413: this request cannot succeed as it is
  refused,         ///< it exited well but refused its own tool calls (`permission_denials`)
  other,           ///< any other failure
};

std::string_view to_string(agent_error e) noexcept;

/// Where a `reported_usage` found its figures.
enum class usage_source { unknown, usage_file, claude_output };

/// What one launch reported, combined from every source.
struct reported_usage {
  std::optional<token_usage> usage;  ///< empty: usage unknown
  usage_source source = usage_source::unknown;
  bool rate_limited = false;  ///< rate limited or overloaded (`error`)
  agent_error error = agent_error::none;  ///< for a failed launch, or a refusal
  std::string message;  ///< the agent's own words for it (empty: none)
};

// tag::outline[]
/// Parses Claude Code output (`json` or `stream-json`). Empty when none is recognised.
std::optional<token_usage> parse_claude_output(std::string_view text);

/// Parses any known agent's output: Claude Code's result; Gemini CLI's `--output-format json`
/// object (usage summed over `stats.models`, `response`, an `error` with its HTTP `code`);
/// Codex's `exec --json` lines (usage summed over `turn.completed`, a `turn.failed` message).
/// Empty when none is recognised.
std::optional<token_usage> parse_agent_output(std::string_view text);

/// Parses the text of a `COHORT_USAGE_FILE` (or a Claude result object). Empty when malformed.
std::optional<token_usage> parse_usage_file(std::string_view text);

/// Reads and parses a usage file of at most `max_bytes`. Empty when missing, larger or malformed.
std::optional<token_usage> read_usage_file(const std::filesystem::path& path,
                                           std::size_t max_bytes = 64 * 1024);

/// True when `text` (an error message or subtype) speaks of a rate limit.
bool is_rate_limit_message(std::string_view text);

/// What an agent's error text says: `API Error: Request rejected (429)`, `API Error: 529
/// Overloaded`, `Invalid API key`, ... (`none` when it says nothing known).
agent_error classify_error_text(std::string_view text);

/// Combines the sources for a finished launch: the usage file first, then the last
/// `tail_bytes` of the stdout file; classifies a failure (`agent_error`). Never throws for
/// what the agent wrote.
reported_usage read_usage(const process_result& result, std::size_t tail_bytes = 1024 * 1024);
// end::outline[]

} // namespace cohort

#endif // COHORT_PROCESS_USAGE_HPP
