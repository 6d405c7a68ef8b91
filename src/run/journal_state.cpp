// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/run/journal_state.hpp>

#include <cohort/run/run_dir.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_to.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <fstream>
#include <optional>
#include <sstream>

namespace cohort {

namespace fs = std::filesystem;
namespace json = boost::json;

std::string_view to_string(journal_task_state s) noexcept {
  switch (s) {
    case journal_task_state::pending: return "pending";
    case journal_task_state::running: return "running";
    case journal_task_state::succeeded: return "succeeded";
    case journal_task_state::failed: return "failed";
    case journal_task_state::skipped: return "skipped";
    case journal_task_state::cancelled: return "cancelled";
  }
  return "unknown";
}

namespace {

// Folds journal records into a state, one line at a time.
class state_builder {
public:
  explicit state_builder(journal_state& s) : s_(s) {}

  void apply(const json::object& o) {
    if (o.contains("journal")) return header(o);
    const std::string_view kind = o.at("e").as_string();
    if (kind == "run_finished") return run_finished();
    if (!o.contains("task")) return;
    const std::string id = json::value_to<std::string>(o.at("task"));
    auto& t = s_.tasks[id];
    if (kind == "task_launched") return launched(o, id, t);
    if (kind == "task_usage") return usage(o, id, t);
    if (kind == "task_merge") return merge(o, t);
    const auto outcome = outcome_of(kind);
    if (outcome) ended(id, t, *outcome);
  }

  // An agent that never reported its usage spent (at most, and so counted as) its reservation.
  void finish() {
    for (std::size_t i = 0; i < s_.agents.size(); ++i) {
      if (!used_[i]) s_.tasks[s_.agents[i].task].tokens += s_.agents[i].reserved;
    }
    s_.tokens_spent = 0;
    for (const auto& [id, t] : s_.tasks) s_.tokens_spent += t.tokens;
  }

private:
  void header(const json::object& o) {
    ++s_.runs;
    s_.finished = false;
    s_.identity = plan_identity_from_json(o.at("plan").as_object());
    for (const auto& [id, fp] : s_.identity.tasks) (void)s_.tasks[id];
  }

  void run_finished() {
    s_.finished = true;
    for (auto& a : s_.agents) a.ended = true;
  }

  void launched(const json::object& o, const std::string& id, journal_task& t) {
    t.state = journal_task_state::running;
    ++t.launches;
    journal_agent a;
    a.task = id;
    a.attempt = static_cast<int>(o.at("attempt").as_int64());
    if (const auto* r = o.if_contains("tokens")) a.reserved = json::value_to<std::uint64_t>(*r);
    if (const auto* pid = o.if_contains("pid")) a.pid = static_cast<int>(pid->as_int64());
    if (const auto* st = o.if_contains("start_time")) a.start_time = json::value_to<std::uint64_t>(*st);
    if (const auto* out = o.if_contains("out")) a.stdout_file = std::string(out->as_string());
    if (const auto* err = o.if_contains("err")) a.stderr_file = std::string(err->as_string());
    s_.agents.push_back(std::move(a));
    used_.push_back(false);
  }

  void usage(const json::object& o, const std::string& id, journal_task& t) {
    const auto* n = o.if_contains("tokens");
    t.tokens += n ? json::value_to<std::uint64_t>(*n) : 0;
    if (const auto* c = o.if_contains("cost_usd"); c && c->is_number()) s_.cost_spent += c->to_number<double>();
    const int attempt = o.contains("attempt") ? static_cast<int>(o.at("attempt").as_int64()) : 0;
    for (std::size_t i = s_.agents.size(); i-- > 0;) {
      auto& a = s_.agents[i];
      if (a.task != id || a.ended || a.attempt != attempt) continue;
      a.ended = true;
      used_[i] = true;
      break;
    }
  }

  static void merge(const json::object& o, journal_task& t) {
    auto text = [&o](const char* key) {
      const json::value* v = o.if_contains(key);
      return v && v->is_string() ? std::string(v->get_string()) : std::string();
    };
    t.merge = text("merge");
    t.branch = text("branch");
    t.commit = text("commit");
  }

  void ended(const std::string& id, journal_task& t, journal_task_state outcome) {
    t.state = outcome;
    for (auto& a : s_.agents) {
      if (a.task == id) a.ended = true;
    }
  }

  static std::optional<journal_task_state> outcome_of(std::string_view kind) {
    if (kind == "task_succeeded") return journal_task_state::succeeded;
    if (kind == "task_failed") return journal_task_state::failed;
    if (kind == "task_skipped") return journal_task_state::skipped;
    if (kind == "task_cancelled") return journal_task_state::cancelled;
    return std::nullopt;
  }

  journal_state& s_;
  std::vector<bool> used_;  ///< parallel to `s_.agents`: the agent's usage was reported
};

void apply_line(state_builder& b, std::string_view line, std::size_t number, const fs::path& file) {
  try {
    const json::value v = json::parse(line);
    b.apply(v.as_object());
  } catch (const std::exception& x) {
    throw system_error(make_error_code(errc::journal_corrupt),
                       fmt::format("cohort: {} line {} is not a journal record ({})", file.string(),
                                   number, x.what()));
  }
}

// Splits `text` into lines; `torn` tells whether the last one had no newline.
void read_lines(const std::string& text, journal_state& s, const fs::path& file) {
  state_builder b(s);
  std::size_t at = 0;
  while (at < text.size()) {
    const auto nl = text.find('\n', at);
    if (nl == std::string::npos) {
      s.torn_tail = true;  // a write torn by a crash: ignored
      break;
    }
    ++s.lines;
    apply_line(b, std::string_view(text).substr(at, nl - at), s.lines, file);
    at = nl + 1;
  }
  b.finish();
}

} // namespace

journal_state read_journal(const fs::path& run_dir) {
  const fs::path file = journal_file(run_dir);
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw system_error(error_code(ENOENT, boost::system::generic_category()),
                       "cohort: no journal in " + run_dir.string());
  }
  std::ostringstream text;
  text << in.rdbuf();
  journal_state s;
  s.run_dir = run_dir;
  read_lines(text.str(), s, file);
  return s;
}

journal_state read_journal(const fs::path& run_dir, error_code& ec) {
  ec.clear();
  try {
    return read_journal(run_dir);
  } catch (const system_error& x) {
    ec = x.code();
    return {};
  }
}

} // namespace cohort
