// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/run/process_launcher.hpp>

#include <cohort/run/agent_command.hpp>
#include <cohort/core/error.hpp>
#include <cohort/run/run_dir.hpp>
#include <cohort/process/process.hpp>
#include <cohort/process/usage.hpp>

#include <cohort/run/resume.hpp>

#include "common/private_file.hpp"
#include "common/procfs.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <optional>

namespace cohort {
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

// Running out of file descriptors or processes is the machine's state, not the agent's fault.
bool is_transient_start_error(const error_code& ec) {
  if (ec.category() != boost::system::system_category() &&
      ec.category() != boost::system::generic_category())
    return false;
  return ec.value() == EMFILE || ec.value() == ENFILE || ec.value() == EAGAIN;
}

// 10 ms, doubling, at most 1 s.
std::chrono::milliseconds start_retry_delay(int waited) {
  return std::chrono::milliseconds(std::min(10 << std::min(waited, 7), 1000));
}

bool mentions_prompt_file(const std::vector<std::string>& argv) {
  for (const auto& a : argv) {
    if (a.find("{prompt_file}") != std::string::npos) return true;
  }
  return false;
}

// An output line as the run shows it: an agent's JSON result (Claude Code's is 2-5 KB on one
// line) as its message and usage; any other line as it is.
std::string shown_line(std::string_view line) {
  if (line.size() < 256 || line.front() != '{' || line.find("\"result\"") == std::string_view::npos) {
    return std::string(line);
  }
  const auto u = parse_claude_output(line);
  if (!u) return std::string(line);
  std::string message = u->message.substr(0, 200);
  std::replace_if(message.begin(), message.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return fmt::format("result{}: {} ({} tokens{})", u->is_error ? " (error)" : "", message, u->total(),
                     u->cost_usd ? fmt::format(", ${:.4f}", *u->cost_usd) : std::string());
}

launch_result to_launch_result(const process_result& r, const cache_weights& weights) {
  launch_result out;
  const reported_usage usage = read_usage(r);
  if (usage.usage) {
    out.tokens = usage.usage->weighted(weights);
    out.cost_usd = usage.usage->cost_usd;
  }
  out.exit_code = r.exit_code.value_or(-1);
  out.signal = r.signal.value_or(0);
  out.timed_out = r.ended_by == end_reason::deadline;
  // The agent's own words, when it said something; else how the process ended.
  auto why = [&](std::string_view what) {
    return usage.message.empty() ? std::string(what) + describe(r)
                                 : std::string(what) + usage.message;
  };
  if (r.output_error) {
    // Output lost (a full disk): the attempt cannot be trusted, whatever the agent said.
    out.status = launch_status::failed;
    out.message = "cannot write the agent's output: " + r.output_error.message();
    return out;
  }
  switch (usage.error) {
    case agent_error::rate_limited:
      out.status = launch_status::rate_limited;
      out.message = why("rate limited: ");
      if (usage.usage && usage.usage->retry_after_ms) {
        out.retry_after = std::chrono::milliseconds(std::min<std::uint64_t>(*usage.usage->retry_after_ms, 3'600'000));
      }
      return out;
    case agent_error::overloaded:
      out.status = launch_status::rate_limited;
      out.message = why("overloaded: ");
      return out;
    case agent_error::authentication:
      out.status = launch_status::fatal;
      out.message = why("");
      return out;
    case agent_error::refused:
      out.status = launch_status::failed;
      out.message = "the agent refused its own tool calls (give it a permission mode): " + usage.message;
      return out;
    default: break;
  }
  if (r.success() && !(usage.usage && usage.usage->is_error)) {
    out.status = launch_status::succeeded;
    return out;
  }
  out.status = launch_status::failed;
  out.message = usage.message.empty() ? describe(r) : usage.message + " (" + describe(r) + ")";
  if (usage.message.empty() && usage.usage && usage.usage->is_error && r.success()) out.message = "the agent reported an error";
  return out;
}

} // namespace

process_launcher::process_launcher(process_launcher_options options)
    : options_(std::move(options)) {
  // Agents run in the workdir: every path they are given must not depend on the cwd.
  if (!options_.run_dir.empty()) {
    options_.run_dir = fs::absolute(options_.run_dir);
    marker_ = run_dir_marker(options_.run_dir);  // once: it resolves the path on disk
  }
}

asio::awaitable<launch_result> process_launcher::launch(const launch_request& r) {
  const task& t = r.get();
  process_options po;
  const fs::path& workdir = r.workdir.empty() ? options_.workdir : r.workdir;
  po.cwd = workdir;
  po.grace = options_.grace;
  po.deadline = r.timeout;
  po.environment.insert(options_.environment.begin(), options_.environment.end());
  for (const auto& [name, value] : t.env) po.environment.insert_or_assign(name, value);  // the task's win
  po.environment["COHORT_TASK_ID"] = t.id;  // and cohort's win over both
  po.environment["COHORT_ATTEMPT"] = std::to_string(r.attempt);

  const bool uses_template = t.argv.empty();
  if (uses_template && options_.agent.empty()) {
    throw system_error(errc::invalid_argument,
                       "cohort: task " + t.id + " has no argv and no agent command was given");
  }
  if (uses_template && options_.run_dir.empty() && mentions_prompt_file(options_.agent)) {
    throw system_error(errc::invalid_argument,
                       "cohort: the agent command uses {prompt_file} but there is no run dir");
  }
  // The agent command's placeholders and the prompt: only for a task without its own argv.
  placeholder_values values;
  std::string prompt;
  if (uses_template) {
    values = task_placeholders(*r.source, r.task);
    values["workdir"] = workdir.empty() ? fs::current_path().string() : workdir.string();
    values["attempt"] = std::to_string(r.attempt);
    prompt = build_prompt(*r.source, r.task);
    if (!r.prompt_note.empty()) prompt += "\n" + r.prompt_note;
  }
  if (!options_.run_dir.empty()) {
    // Marks the agent (and what it starts) as this run dir's, so that a resumed run can end it
    // even if it started after the journal's last record (journal.hpp, resume.hpp).
    po.environment[run_dir_variable] = marker_;
    agent_files files = agent_files_of(options_.run_dir, t.id, r.attempt);
    (void)make_agent_dir(options_.run_dir, t.id);
    if (uses_template) {
      values["prompt_file"] = files.prompt.string();
      detail::write_private(files.prompt, prompt);
    }
    po.stdout_file = std::move(files.stdout_file);
    po.stderr_file = std::move(files.stderr_file);
    po.usage_file = std::move(files.usage_file);
  }
  if (uses_template && options_.prompt == prompt_delivery::stdin) po.input = prompt;
  po.argv = uses_template ? render_argv(options_.agent, values) : t.argv;
  if (options_.stream_output && r.on_output) {
    po.on_line = [&r](const output_line& line) { r.on_output(shown_line(line.text)); };
  }
  // What the agent leaves behind was born no earlier than the agent: its start time, read from
  // /proc like theirs, is the bound (the clock read before the launch is the fallback).
  std::uint64_t launched_at = 0;
  po.on_start = [&r, &launched_at](int pid) {
    if (const std::uint64_t born = process_start_time(pid); born != 0) launched_at = born;
    if (r.on_started) r.on_started(pid);
  };
  // Out of descriptors or processes for a moment (other agents hold them): wait for some to be
  // given back and start again; the attempt fails only if they stay gone.
  for (int waited = 0;; ++waited) {
    launched_at = detail::boot_ticks_now();
    std::optional<process_result> result;
    try {
      result = co_await run_process(po);
    } catch (const system_error& e) {
      if (!is_transient_start_error(e.code()) || waited == options_.start_retries) throw;
    }
    if (result) {
      if (options_.end_escaped && !marker_.empty()) co_await end_escaped(t.id, r.attempt, launched_at, result->pgid);
      co_return to_launch_result(*result, options_.weights);
    }
    asio::steady_timer wait(co_await asio::this_coro::executor, start_retry_delay(waited));
    co_await wait.async_wait(asio::use_awaitable);
  }
}

asio::awaitable<void> process_launcher::end_escaped(const std::string& id, int attempt,
                                                   std::uint64_t launched_at, int group) const {
  std::vector<std::string> mark{run_dir_variable + ('=' + marker_), "COHORT_TASK_ID=" + id,
                                "COHORT_ATTEMPT=" + std::to_string(attempt)};
  const ended_leftovers ended = co_await detail::end_escaped(std::move(mark), launched_at, group, options_.grace);
  if (ended.ended > 0 && options_.on_escaped) options_.on_escaped(id, attempt, ended.pids.size());
}

} // namespace cohort
