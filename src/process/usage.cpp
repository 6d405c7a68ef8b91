// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/process/usage.hpp>

#include <cohort/process/process.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <cerrno>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cohort {
namespace json = boost::json;

namespace {

constexpr std::size_t max_message = 2048;

std::optional<json::value> parse_json(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return std::nullopt;
  return v;
}

// A JSON number that is a whole count >= 0 (an integer, or a double without a fraction).
std::optional<std::uint64_t> count_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_uint64()) return v->get_uint64();
  if (v->is_int64() && v->get_int64() >= 0) return static_cast<std::uint64_t>(v->get_int64());
  if (v->is_double() && v->get_double() >= 0 && v->get_double() < 1.8e19 &&
      v->get_double() == static_cast<double>(static_cast<std::uint64_t>(v->get_double())))
    return static_cast<std::uint64_t>(v->get_double());
  return std::nullopt;
}

// A cost: a finite number >= 0 (a negative one would give a budget back).
std::optional<double> number_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v || !v->is_number()) return std::nullopt;
  boost::system::error_code ec;
  double d = v->to_number<double>(ec);
  if (ec || !std::isfinite(d) || d < 0) return std::nullopt;
  return d;
}

std::string_view string_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

bool bool_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}

// The four token counts, from Claude's `usage` object or from the plain protocol's top level.
// False when a present field is not a count (malformed: the whole report is refused).
bool read_counts(const json::object& o, token_usage& u) {
  for (auto [key, field] : {std::pair{"input_tokens", &token_usage::input_tokens},
                            std::pair{"output_tokens", &token_usage::output_tokens},
                            std::pair{"cache_creation_input_tokens",
                                      &token_usage::cache_creation_input_tokens},
                            std::pair{"cache_read_input_tokens",
                                      &token_usage::cache_read_input_tokens}}) {
    auto c = count_of(o, key);
    if (o.contains(key) && !c) return false;
    u.*field = c.value_or(0);
  }
  return true;
}

// Claude's error text lives in `result` (the message), `subtype`, or an `error` field.
bool claude_rate_limited(const json::object& o) {
  if (!bool_of(o, "is_error") && string_of(o, "subtype").find("error") == std::string_view::npos)
    return false;
  return is_rate_limit_message(string_of(o, "subtype")) ||
         is_rate_limit_message(string_of(o, "result")) ||
         is_rate_limit_message(string_of(o, "error"));
}

// A Claude Code result object: `"type":"result"`, or any object with a `usage` object.
std::optional<token_usage> from_claude_result(const json::object& o) {
  const json::value* usage = o.if_contains("usage");
  if (string_of(o, "type") != "result" && !(usage && usage->is_object())) return std::nullopt;
  token_usage u;
  if (usage && (!usage->is_object() || !read_counts(usage->get_object(), u))) return std::nullopt;
  u.cost_usd = number_of(o, "total_cost_usd");
  if (!u.cost_usd) u.cost_usd = number_of(o, "cost_usd");
  u.session_id = string_of(o, "session_id");
  if (auto t = count_of(o, "num_turns")) u.num_turns = static_cast<int>(std::min<std::uint64_t>(*t, 1u << 30));
  u.is_error = bool_of(o, "is_error") || string_of(o, "subtype").starts_with("error");
  u.rate_limited = claude_rate_limited(o);
  if (const json::value* status = o.if_contains("api_error_status"); status && status->is_number()) {
    if (auto code = count_of(o, "api_error_status"); code && *code < 1000) u.api_error_status = static_cast<int>(*code);
  }
  u.api_error_type = string_of(o, "api_error_type").substr(0, 64);
  u.message = string_of(o, "result").substr(0, max_message);
  if (u.message.empty()) u.message = string_of(o, "error").substr(0, max_message);
  if (const json::value* denied = o.if_contains("permission_denials"); denied && denied->is_array()) {
    for (const auto& d : denied->get_array()) {
      if (!d.is_object() || u.permission_denials.size() == 16) continue;
      std::string what(string_of(d.get_object(), "tool_name").substr(0, 64));
      if (const json::value* in = d.get_object().if_contains("tool_input"); in && in->is_object()) {
        std::string_view target = string_of(in->get_object(), "file_path");
        if (target.empty()) target = string_of(in->get_object(), "command");
        if (!target.empty()) what += ' ' + std::string(target.substr(0, 256));
      }
      u.permission_denials.push_back(std::move(what));
    }
  }
  return u;
}

// The class of an error Claude Code reported in its fields; `none` when no field says.
agent_error from_fields(const token_usage& u) {
  if (u.api_error_status) {
    switch (*u.api_error_status) {
      case 429: return agent_error::rate_limited;
      case 503:
      case 529: return agent_error::overloaded;
      case 401:
      case 403: return agent_error::authentication;
      case 400:
      case 404:
      case 413: return agent_error::bad_request;
      default: return agent_error::other;
    }
  }
  const std::string_view type = u.api_error_type;
  if (type == "rate_limit_error") return agent_error::rate_limited;
  if (type == "overloaded_error") return agent_error::overloaded;
  if (type == "authentication_error" || type == "permission_error") return agent_error::authentication;
  if (type == "invalid_request_error" || type == "not_found_error" || type == "request_too_large")
    return agent_error::bad_request;
  if (u.rate_limited) return agent_error::rate_limited;
  if (u.is_error) return classify_error_text(u.message);
  return agent_error::none;
}

// The last `"type":"result"` element of a `--verbose` json array.
std::optional<token_usage> from_array(const json::array& a) {
  for (auto it = a.rbegin(); it != a.rend(); ++it) {
    if (it->is_object() && string_of(it->get_object(), "type") == "result")
      return from_claude_result(it->get_object());
  }
  return std::nullopt;
}

std::string_view trim(std::string_view s) {
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// stream-json: the last line that is a result object (earlier lines, and a first line cut by
// reading only the tail of a file, are skipped).
std::optional<token_usage> from_lines(std::string_view text) {
  while (!text.empty()) {
    auto nl = text.rfind('\n', text.size() - 1);
    auto line = trim(nl == std::string_view::npos ? text : text.substr(nl + 1));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(0, nl);
    if (line.empty() || line.front() != '{' || line.find("\"result\"") == std::string_view::npos)
      continue;
    auto v = parse_json(line);
    if (v && v->is_object() && string_of(v->get_object(), "type") == "result")
      return from_claude_result(v->get_object());
  }
  return std::nullopt;
}

// Codex (`codex exec --json`): JSON lines; each `turn.completed` carries its turn's usage
// (`input_tokens` counts the cached ones too), a `turn.failed` the error that ended the run.
std::optional<token_usage> from_codex_lines(std::string_view text) {
  token_usage u;
  bool seen = false;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const std::string_view line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.starts_with("{\"type\":\"turn.")) continue;
    const auto v = parse_json(line);
    if (!v || !v->is_object()) continue;
    const json::object& o = v->get_object();
    const std::string_view type = string_of(o, "type");
    if (type == "turn.completed") {
      const json::value* usage = o.if_contains("usage");
      if (!usage || !usage->is_object()) continue;
      const json::object& n = usage->get_object();
      const std::uint64_t cached = count_of(n, "cached_input_tokens").value_or(0);
      const std::uint64_t input = count_of(n, "input_tokens").value_or(0);
      u.input_tokens += input - std::min(input, cached);
      u.cache_read_input_tokens += cached;
      u.cache_creation_input_tokens += count_of(n, "cache_write_input_tokens").value_or(0);
      u.output_tokens += count_of(n, "output_tokens").value_or(0) + count_of(n, "reasoning_output_tokens").value_or(0);
      u.num_turns = u.num_turns.value_or(0) + 1;
      seen = true;
    } else if (type == "turn.failed") {
      u.is_error = true;
      if (const json::value* e = o.if_contains("error"); e && e->is_object())
        u.message = string_of(e->get_object(), "message").substr(0, max_message);
      seen = true;
    }
  }
  if (!seen) return std::nullopt;
  return u;
}

// Gemini CLI (`--output-format json`): one object, usage per model under `stats.models`, the
// answer in `response`, or an `error` (printed on stderr) with the HTTP `code`.
std::optional<token_usage> from_gemini(const json::object& o) {
  token_usage u;
  bool seen = false;
  if (const json::value* stats = o.if_contains("stats"); stats && stats->is_object()) {
    if (const json::value* models = stats->get_object().if_contains("models"); models && models->is_object()) {
      for (const auto& [name, m] : models->get_object()) {
        const json::value* tokens = m.is_object() ? m.get_object().if_contains("tokens") : nullptr;
        if (!tokens || !tokens->is_object()) continue;
        const json::object& t = tokens->get_object();
        u.input_tokens += count_of(t, "input").value_or(0);
        u.cache_read_input_tokens += count_of(t, "cached").value_or(0);
        u.output_tokens += count_of(t, "candidates").value_or(0) + count_of(t, "thoughts").value_or(0);
        seen = true;
      }
    }
  }
  u.message = string_of(o, "response").substr(0, max_message);
  u.session_id = string_of(o, "session_id");
  if (const json::value* e = o.if_contains("error"); e && e->is_object()) {
    const json::object& error = e->get_object();
    u.is_error = true;
    if (auto code = count_of(error, "code"); code && *code < 1000) u.api_error_status = static_cast<int>(*code);
    u.message = string_of(error, "message").substr(0, max_message);
    // The provider's own error body, when that is what the message holds: its message.
    if (auto inner = parse_json(u.message); inner && inner->is_object()) {
      if (const json::value* ie = inner->get_object().if_contains("error"); ie && ie->is_object()) {
        const std::string_view m = string_of(ie->get_object(), "message");
        if (!m.empty()) u.message = m.substr(0, max_message);
      }
    }
    seen = true;
  }
  if (!seen) return std::nullopt;
  return u;
}

// The last JSON object of `text` that starts a line (Gemini prints its error object after a
// stack trace on stderr).
std::optional<token_usage> last_gemini_object(std::string_view text) {
  for (std::size_t at = text.size(); at > 0;) {
    const auto brace = text.rfind("\n{", at - 1);
    const std::size_t from = brace == std::string_view::npos ? 0 : brace + 1;
    if (text.substr(from).starts_with("{")) {
      if (auto v = parse_json(text.substr(from)); v && v->is_object()) return from_gemini(v->get_object());
    }
    if (brace == std::string_view::npos) break;
    at = brace;
  }
  return std::nullopt;
}

// At most the last `n` bytes of the file at `p`; empty when it cannot be read.
std::string read_tail(const std::filesystem::path& p, std::size_t n) {
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  struct stat st {};
  std::string out;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    const auto size = static_cast<std::size_t>(st.st_size);
    const auto from = size > n ? size - n : 0;
    out.resize(size - from);
    ssize_t got = ::pread(fd, out.data(), out.size(), static_cast<off_t>(from));
    out.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
  }
  ::close(fd);
  return out;
}

} // namespace

std::optional<token_usage> parse_claude_output(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  if (auto v = parse_json(text)) {
    if (v->is_object()) return from_claude_result(v->get_object());
    if (v->is_array()) return from_array(v->get_array());
    return std::nullopt;
  }
  return from_lines(text);
}

std::optional<token_usage> parse_agent_output(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  if (auto v = parse_json(text)) {
    if (v->is_object()) {
      if (auto u = from_claude_result(v->get_object())) return u;
      return from_gemini(v->get_object());
    }
    if (v->is_array()) return from_array(v->get_array());
    return std::nullopt;
  }
  if (auto u = from_lines(text)) return u;
  return from_codex_lines(text);
}

std::optional<token_usage> parse_usage_file(std::string_view text) {
  auto v = parse_json(trim(text));
  if (!v || !v->is_object()) return std::nullopt;
  const json::object& o = v->get_object();
  if (o.contains("usage") || string_of(o, "type") == "result") return from_claude_result(o);
  token_usage u;
  if (!count_of(o, "input_tokens") || !count_of(o, "output_tokens") || !read_counts(o, u))
    return std::nullopt;
  u.cost_usd = number_of(o, "cost_usd");
  u.session_id = string_of(o, "session_id");
  u.rate_limited = bool_of(o, "rate_limited");
  u.retry_after_ms = count_of(o, "retry_after_ms");
  return u;
}

std::optional<token_usage> read_usage_file(const std::filesystem::path& path, std::size_t max_bytes) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size > max_bytes) return std::nullopt;
  return parse_usage_file(read_tail(path, max_bytes));
}

namespace {

// True when `number` stands in `text` as a number of its own: "status 429", not the port of
// "127.0.0.1:42915" (a mock server's port once made a 401 read as a rate limit).
bool has_number(std::string_view text, std::string_view number) {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  for (auto at = text.find(number); at != std::string_view::npos; at = text.find(number, at + 1)) {
    const auto end = at + number.size();
    if ((at == 0 || !digit(text[at - 1])) && (end == text.size() || !digit(text[end]))) return true;
  }
  return false;
}

} // namespace

bool is_rate_limit_message(std::string_view text) {
  std::string lower(text.substr(0, 4096));
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static constexpr std::array<std::string_view, 7> marks{
      "rate limit", "rate_limit", "ratelimit", "rate-limit",
      "overloaded", "usage limit", "too many requests"};
  return has_number(lower, "429") ||
         std::any_of(marks.begin(), marks.end(),
                     [&](std::string_view m) { return lower.find(m) != std::string::npos; });
}

std::uint64_t token_usage::weighted(const cache_weights& w) const noexcept {
  // Saturating: counts an agent reports may be anything up to 2^64 - 1.
  constexpr std::uint64_t most = std::numeric_limits<std::uint64_t>::max();
  const double cached = w.write * static_cast<double>(cache_creation_input_tokens) +
                        w.read * static_cast<double>(cache_read_input_tokens);
  const std::uint64_t cached_count =
      !(cached > 0) ? 0 : cached >= 1.8e19 ? most : static_cast<std::uint64_t>(std::ceil(cached));
  std::uint64_t sum = input_tokens;
  for (std::uint64_t part : {output_tokens, cached_count}) sum = part > most - sum ? most : sum + part;
  return sum;
}

std::string_view to_string(agent_error e) noexcept {
  switch (e) {
    case agent_error::none: return "none";
    case agent_error::rate_limited: return "rate_limited";
    case agent_error::overloaded: return "overloaded";
    case agent_error::authentication: return "authentication";
    case agent_error::bad_request: return "bad_request";
    case agent_error::refused: return "refused";
    case agent_error::other: return "other";
  }
  return "unknown";
}

agent_error classify_error_text(std::string_view text) {
  std::string lower(text.substr(0, 4096));
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto has = [&](std::string_view m) { return lower.find(m) != std::string::npos; };
  if (has("overloaded") || has("api error: 529") || has("(529)") || has("status 529") || has("status 503"))
    return agent_error::overloaded;
  if (is_rate_limit_message(lower)) return agent_error::rate_limited;
  if (has("invalid api key") || has("authentication_error") || has("api error: 401") || has("(401)") ||
      has("api error: 403") || has("(403)") || has("401 unauthorized") || has("403 forbidden"))
    return agent_error::authentication;
  if (has("api error: 400") || has("(400)") || has("invalid_request_error")) return agent_error::bad_request;
  return agent_error::none;
}

reported_usage read_usage(const process_result& result, std::size_t tail_bytes) {
  reported_usage r;
  if (!result.usage_file.empty()) {
    r.usage = read_usage_file(result.usage_file);
    if (r.usage) r.source = usage_source::usage_file;
  }
  if (!r.usage && !result.stdout_file.empty()) {
    r.usage = parse_agent_output(read_tail(result.stdout_file, tail_bytes));
    if (r.usage) r.source = usage_source::claude_output;
  }
  if (!r.usage && !result.success() && !result.stderr_file.empty()) {  // Gemini's error object
    r.usage = last_gemini_object(read_tail(result.stderr_file, 64 * 1024));
    if (r.usage) r.source = usage_source::claude_output;
  }
  if (r.usage) {
    // What an agent that exited well says of errors is not believed (its output is its own:
    // a task about error handling may well print an error object), but for a refusal of its
    // tool calls and the plain protocol's rate limit.
    if (!result.success()) r.error = from_fields(*r.usage);
    else if (r.source == usage_source::usage_file && r.usage->rate_limited) r.error = agent_error::rate_limited;
    r.message = r.usage->message;
    if (r.error == agent_error::none && !r.usage->permission_denials.empty()) {
      r.error = agent_error::refused;
      r.message.clear();
      for (const auto& d : r.usage->permission_denials) r.message += (r.message.empty() ? "" : ", ") + d;
    }
  }
  if (result.exit_code == rate_limited_exit_code) r.error = agent_error::rate_limited;
  if (r.error == agent_error::none && !result.success() && !r.usage && !result.stdout_file.empty()) {
    // Text output (`claude -p` alone): an API error is the agent's last line.
    const std::string tail = read_tail(result.stdout_file, 4096);
    std::string_view last = trim(tail);
    if (const auto nl = last.rfind('\n'); nl != std::string_view::npos) last = trim(last.substr(nl + 1));
    if (last.starts_with("API Error") || last.starts_with("Invalid API key")) {
      r.error = classify_error_text(last);
      if (r.error != agent_error::none) r.message = std::string(last.substr(0, max_message));
    }
  }
  if (r.error == agent_error::none && !result.success()) r.error = agent_error::other;
  r.rate_limited = r.error == agent_error::rate_limited || r.error == agent_error::overloaded;
  return r;
}

} // namespace cohort
