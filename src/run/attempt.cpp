// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include "run/attempt.hpp"

#include <cohort/core/error.hpp>
#include <cohort/run/agent_command.hpp>
#include <cohort/run/run_dir.hpp>

#include "common/private_file.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace cohort::detail {
namespace fs = std::filesystem;

namespace {

bool mentions_prompt_file(const std::vector<std::string>& argv) {
  for (const auto& a : argv) {
    if (a.find("{prompt_file}") != std::string::npos) return true;
  }
  return false;
}

} // namespace

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

launch_result launch_result_of(const process_result& r, const cache_weights& weights) {
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

process_options prepare_attempt(const agent_setup& s, const launch_request& r) {
  const task& t = r.get();
  process_options po;
  const fs::path& workdir = r.workdir.empty() ? s.workdir : r.workdir;
  po.cwd = workdir;
  po.environment.insert(s.environment.begin(), s.environment.end());
  for (const auto& [name, value] : *t.env) po.environment.insert_or_assign(name, value);  // the task's win
  po.environment["COHORT_TASK_ID"] = t.id;  // and cohort's win over both
  po.environment["COHORT_ATTEMPT"] = std::to_string(r.attempt);

  const bool uses_template = t.argv.empty();
  if (uses_template && s.agent.empty()) {
    throw system_error(errc::invalid_argument,
                       "cohort: task " + t.id + " has no argv and no agent command was given");
  }
  if (uses_template && s.run_dir.empty() && mentions_prompt_file(s.agent)) {
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
  if (!s.run_dir.empty()) {
    // Marks the agent (and what it starts) as this run dir's, so that a resumed run can end it
    // even if it started after the journal's last record (journal.hpp, resume.hpp).
    po.environment[run_dir_variable] = s.marker;
    agent_files files = agent_files_of(s.run_dir, t.id, r.attempt);
    (void)make_agent_dir(s.run_dir, t.id, s.agents_dir_made);
    if (uses_template) {
      values["prompt_file"] = files.prompt.string();
      write_private(files.prompt, prompt);
    }
    po.stdout_file = std::move(files.stdout_file);
    po.stderr_file = std::move(files.stderr_file);
    po.usage_file = std::move(files.usage_file);
  }
  if (uses_template && s.prompt == prompt_delivery::stdin) po.input = prompt;
  po.argv = uses_template ? render_argv(s.agent, values) : t.argv.to_vector();
  return po;
}

} // namespace cohort::detail
