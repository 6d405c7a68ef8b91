// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/run/process_launcher.hpp>

#include <cohort/run/agent_command.hpp>
#include <cohort/core/error.hpp>
#include <cohort/run/run_dir.hpp>
#include <cohort/process/process.hpp>
#include <cohort/process/usage.hpp>

#include "common/private_file.hpp"

namespace cohort {
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

bool mentions_prompt_file(const std::vector<std::string>& argv) {
  for (const auto& a : argv) {
    if (a.find("{prompt_file}") != std::string::npos) return true;
  }
  return false;
}

launch_result to_launch_result(const process_result& r) {
  launch_result out;
  const reported_usage usage = read_usage(r);
  if (usage.usage) out.tokens = usage.usage->total();
  out.exit_code = r.exit_code.value_or(-1);
  out.signal = r.signal.value_or(0);
  out.timed_out = r.ended_by == end_reason::deadline;
  if (usage.rate_limited) {
    out.status = launch_status::rate_limited;
    out.message = "rate limited: " + describe(r);
  } else if (r.output_error) {
    // Output lost (a full disk): the attempt cannot be trusted, whatever the agent said.
    out.status = launch_status::failed;
    out.message = "cannot write the agent's output: " + r.output_error.message();
  } else if (r.success() && !(usage.usage && usage.usage->is_error)) {
    out.status = launch_status::succeeded;
  } else {
    out.status = launch_status::failed;
    out.message = describe(r);
    if (usage.usage && usage.usage->is_error && r.success()) out.message = "the agent reported an error";
  }
  return out;
}

} // namespace

process_launcher::process_launcher(process_launcher_options options)
    : options_(std::move(options)) {
  // Agents run in the workdir: every path they are given must not depend on the cwd.
  if (!options_.run_dir.empty()) options_.run_dir = fs::absolute(options_.run_dir);
}

asio::awaitable<launch_result> process_launcher::launch(const launch_request& r) {
  const task& t = r.get();
  process_options po;
  po.cwd = options_.workdir;
  po.grace = options_.grace;
  po.deadline = r.timeout;
  po.environment.insert(options_.environment.begin(), options_.environment.end());
  po.environment["COHORT_TASK_ID"] = t.id;
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
    values["workdir"] = options_.workdir.empty() ? fs::current_path().string() : options_.workdir.string();
    values["attempt"] = std::to_string(r.attempt);
    prompt = build_prompt(*r.source, r.task);
  }
  if (!options_.run_dir.empty()) {
    // Marks the agent (and what it starts) as this run dir's, so that a resumed run can end it
    // even if it started after the journal's last record (journal.hpp, resume.hpp).
    po.environment[run_dir_variable] = run_dir_marker(options_.run_dir);
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
    po.on_line = [&r](const output_line& line) { r.on_output(line.text); };
  }
  if (r.on_started) po.on_start = [&r](int pid) { r.on_started(pid); };
  const process_result result = co_await run_process(std::move(po));
  co_return to_launch_result(result);
}

} // namespace cohort
