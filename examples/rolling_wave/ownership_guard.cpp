// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include "ownership_guard.hpp"

#include <cohort/analysis/ownership.hpp>
#include <cohort/process/process.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <limits>

namespace rolling_wave {
namespace asio = boost::asio;

namespace {

// A path as `git status --porcelain` prints it: C-quoted when it holds special characters.
std::string unquote(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::string(s);
  std::string out;
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] != '\\' || i + 2 >= s.size()) {
      out += s[i];
      continue;
    }
    const char c = s[++i];
    if (c >= '0' && c <= '7' && i + 2 < s.size()) {  // \ooo: one byte
      out += static_cast<char>((c - '0') * 64 + (s[i + 1] - '0') * 8 + (s[i + 2] - '0'));
      i += 2;
    } else {
      out += c == 't' ? '\t' : c == 'n' ? '\n' : c;
    }
  }
  return out;
}

// "XY path" or "XY from -> to": the path now.
std::string path_of(std::string_view line) {
  std::string_view rest = line.substr(std::min<std::size_t>(3, line.size()));
  if (auto arrow = rest.find(" -> "); arrow != std::string_view::npos) rest.remove_prefix(arrow + 4);
  return unquote(rest);
}

// The driver's own files never count: Task Master's and cohort's folders.
bool bookkeeping(const std::string& path) {
  return path.rfind(".taskmaster/", 0) == 0 || path.rfind(".cohort/", 0) == 0 ||
         path.rfind("tasks/tasks.json", 0) == 0;
}

} // namespace

asio::awaitable<std::optional<std::set<std::string>>> changed_paths(std::filesystem::path dir) {
  std::vector<std::string> lines;
  cohort::process_options po;
  po.argv = {"git", "-C", dir.empty() ? "." : dir.string(), "status", "--porcelain=v1",
             "--untracked-files=all"};
  po.environment["GIT_OPTIONAL_LOCKS"] = "0";  // a check never takes the index lock
  po.on_line = [&lines](const cohort::output_line& l) {
    if (l.stream == cohort::output_stream::out && l.text.size() > 3) lines.emplace_back(l.text);
  };
  cohort::process_result r;
  try {
    r = co_await cohort::run_process(std::move(po));
  } catch (const cohort::process_cancelled&) {
    throw;
  } catch (const cohort::system_error&) {
    co_return std::nullopt;  // no git: nothing to check
  }
  if (!r.success()) co_return std::nullopt;  // not a checkout
  std::set<std::string> paths;
  for (const auto& line : lines) paths.insert(path_of(line));
  co_return paths;
}

// --- gate_launcher -----------------------------------------------------------------------------

gate_launcher::gate_launcher(asio::any_io_executor ex, cohort::launcher& inner, std::size_t capacity)
    : inner_(inner), gate_(ex, std::max<std::size_t>(capacity, 1)),
      released_(ex, asio::steady_timer::time_point::max()) {}

asio::awaitable<cohort::launch_result> gate_launcher::launch(const cohort::launch_request& r) {
  while (holds_ > 0) (void)co_await released_.async_wait(asio::as_tuple(asio::use_awaitable));
  auto place = co_await gate_.async_acquire(1, asio::use_awaitable);
  co_return co_await inner_.launch(r);
}

void gate_launcher::go_sequential() {
  if (sequential_) return;
  sequential_ = true;
  if (gate_.capacity() == 1) return;
  // Every place but one, asked for now and ahead of every launch waiting for a place: from this
  // call on, a launch passes only when the agents running now are done, and then one at a time.
  gate_.async_acquire(gate_.capacity() - 1, std::numeric_limits<int>::max(),
                      asio::bind_cancellation_slot(stop_.slot(),
                                                   [this](cohort::error_code ec, cohort::semaphore::permit places) {
                                                     if (!ec) held_ = std::move(places);
                                                   }));
}

void gate_launcher::let_go() {
  if (holds_ > 0 && --holds_ == 0) released_.cancel();  // wakes every held launch
}

void gate_launcher::release() {
  stop_.emit(asio::cancellation_type::terminal);
  held_ = cohort::semaphore::permit();
}

// --- ownership_guard ---------------------------------------------------------------------------

ownership_guard::ownership_guard(const cohort::plan& p, std::filesystem::path workdir,
                                 on_violation policy, note_function note)
    : plan_(p), workdir_(std::move(workdir)), policy_(policy), note_(std::move(note)), ran_(p.size()) {}

asio::awaitable<bool> ownership_guard::start() {
  const bool declared = std::any_of(plan_.tasks.begin(), plan_.tasks.end(),
                                    [](const cohort::task& t) { return !t.owns.empty(); });
  if (!declared) co_return false;
  auto paths = co_await changed_paths(workdir_);
  if (!paths) co_return false;
  baseline_ = std::move(*paths);
  active_ = true;
  co_return true;
}

void ownership_guard::attach(cohort::scope* s, std::function<void()> fail, gate_launcher* gate) {
  scope_ = s;
  fail_ = std::move(fail);
  gate_ = gate;
}

void ownership_guard::on_event(const cohort::event& e) {
  if (!e.task) {
    if (e.kind == cohort::event_kind::run_finished) scope_ = nullptr;
    return;
  }
  if (e.kind == cohort::event_kind::task_launched) ran_[*e.task] = true;
  if (e.kind == cohort::event_kind::task_usage && active_ && scope_) {
    // Judged before anything else starts, when the policy acts on a violation; let go by check.
    const bool holds = gate_ && policy_ != on_violation::warn;
    if (holds) gate_->hold();
    scope_->spawn(check(this, holds ? gate_ : nullptr));
  }
}

asio::awaitable<void> ownership_guard::check(ownership_guard* self, gate_launcher* held) {
  struct let_go_at_end {
    gate_launcher* gate;
    ~let_go_at_end() {
      if (gate) gate->let_go();
    }
  } at_end{held};
  if (self->checking_) {
    self->again_ = true;
    co_return;
  }
  self->checking_ = true;
  do {
    self->again_ = false;
    const auto paths = co_await changed_paths(self->workdir_);
    if (!paths) break;
    for (const auto& path : *paths) {
      if (self->baseline_.count(path) || self->flagged_.count(path) || bookkeeping(path)) continue;
      if (!self->owned(path)) self->violated(path);
    }
  } while (self->again_);
  self->checking_ = false;
}

bool ownership_guard::owned(const std::string& path) const {
  auto owns = [&](const cohort::task& t) {
    return std::any_of(t.owns.begin(), t.owns.end(),
                       [&](std::string_view glob) { return cohort::glob_match(glob, path); });
  };
  for (cohort::task_index t = 0; t < plan_.size(); ++t) {
    if (!ran_[t]) continue;
    const auto& task = plan_.tasks[t];
    if (owns(task) || (task.parent && owns(plan_.tasks[*task.parent]))) return true;
  }
  return false;
}

void ownership_guard::violated(const std::string& path) {
  flagged_.insert(path);
  violations_.push_back(path);
  std::string what = "ownership: " + path + " changed, and no task that ran owns it";
  if (policy_ == on_violation::fail && fail_) {
    note_(what + "; stopping the run (--on-violation fail)");
    // Held for good: the launches this check holds end with the run's cancellation, which reaches
    // them a few handlers later; let go, they would start in between.
    if (gate_) gate_->hold();
    fail_();
  } else if (policy_ == on_violation::sequential && gate_) {
    if (!gate_->sequential()) note_(what + "; one agent at a time from now on (--on-violation sequential)");
    else note_(what);
    if (scope_) gate_->go_sequential();  // (after the run's end there is nothing to narrow)
  } else {
    note_(what);
  }
}

} // namespace rolling_wave
