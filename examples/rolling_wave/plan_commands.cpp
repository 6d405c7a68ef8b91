// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
//
// Loading the plan, and the commands that only read it: plan and status.
#include "run.hpp"

#include <cohort/view/render.hpp>
#include <cohort/view/terminal_text.hpp>
#include <cohort/plan/taskmaster.hpp>
#include <cohort/plan/validation.hpp>

#include <boost/json/serialize.hpp>

#include <fmt/core.h>

#include <map>

namespace rolling_wave {
namespace fs = std::filesystem;

namespace {

fs::path find_tasks_file(const arguments& a) {
  if (!a.tasks_file.empty()) {
    if (!fs::exists(a.tasks_file)) throw usage_error(fmt::format("{}: no such file", a.tasks_file));
    return a.tasks_file;
  }
  for (const char* candidate : {".taskmaster/tasks/tasks.json", "tasks/tasks.json"}) {
    if (fs::exists(candidate)) return candidate;
  }
  throw usage_error(
      "no tasks file: neither .taskmaster/tasks/tasks.json nor tasks/tasks.json exists here "
      "(name one, or run rolling-wave alone for the demo)");
}

void report_problems(const cohort::loaded_plan& l) {
  for (const auto& d : l.diagnostics) {
    if (d.severity == cohort::severity::warning) fmt::print(stderr, "rolling-wave: {}\n", cohort::terminal_safe(cohort::to_string(d), true));
  }
  if (!l.ok()) throw usage_error("the plan is invalid:\n" + cohort::error_text(l.diagnostics));
}

} // namespace

cohort::plan load_plan(const arguments& a) {
  cohort::taskmaster_options o;
  o.tag = a.tag;
  // `plan` and `status` neither prompt an agent nor write the plan out: its texts are not kept.
  o.keep_texts = a.cmd != command::plan && a.cmd != command::status;
  if (a.cmd == command::demo) {
    o.file_name = "seed.json (built in)";
    cohort::loaded_plan l = cohort::parse_taskmaster(seed_plan_json(), o);
    report_problems(l);
    for (auto& t : l.plan.tasks) t.argv.clear();  // the demo's agents come from the template
    return std::move(l.plan);
  }
  cohort::loaded_plan l = cohort::read_taskmaster(find_tasks_file(a), o);
  report_problems(l);
  return std::move(l.plan);
}

std::chrono::milliseconds slurm_launch_overhead(const arguments& a) {
  return std::chrono::milliseconds(900) + a.slurm_poll / 2;
}

// The plan as the launcher sees it: with Slurm, each job's estimate plus the cluster's overhead.
cohort::plan as_launched(const cohort::plan& p, const arguments& a) {
  cohort::plan out = p;
  for (auto& t : out.tasks) {
    if (t.is_job()) t.duration = t.duration.value_or(a.options.schedule.defaults.duration) + slurm_launch_overhead(a);
  }
  return out;
}

int plan_command(const arguments& a) {
  const cohort::plan p = load_plan(a);
  cohort::plan_analysis_options o;
  o.simulate = a.options.schedule;
  o.defaults = a.options.schedule.defaults;
  o.budget = a.options.schedule.token_budget;
  o.reserve = a.reserve;
  const cohort::plan_analysis r = a.slurm ? cohort::analyze(as_launched(p, a), o) : cohort::analyze(p, o);
  if (a.format == "json") fmt::print("{}\n", boost::json::serialize(cohort::render_json(p, r)));
  else if (a.format == "dot") fmt::print("{}", cohort::render_dot(p, r));
  else if (a.format == "mermaid") fmt::print("{}", cohort::render_mermaid(p, r));
  else fmt::print("{} (tag {}): {} tasks, {} parents\n\n{}",
                  cohort::terminal_safe(p.source.empty() ? "built-in seed plan" : fs::path(p.source).filename().string()),
                  cohort::terminal_safe(p.tag), p.size(), p.parents.size(), cohort::render_text(p, r));
  if (a.format == "text" && a.slurm) {
    fmt::print("\nwith --launcher slurm: each job's estimate plus {} ms of the cluster's (submission to "
               "start, and the poll that sees its end)\n", slurm_launch_overhead(a).count());
  }
  if (a.format == "text") {
    const task_command_list commands = list_task_commands(p);
    if (commands.tasks > 0) {
      fmt::print("\n{} task(s) carry their own command ({} distinct); they run only with "
                 "--allow-task-commands:\n{}", commands.tasks, commands.distinct, commands.text);
    }
  }
  return all_done;
}

// Per parent: how many subtasks stand where, from the tasks file.
int status_command(const arguments& a) {
  const cohort::plan p = load_plan(a);
  std::map<cohort::task_status, std::size_t> total;
  fmt::print("{:<8} {:<40} {:<12} {}\n", "task", "title", "status", "subtasks");
  for (cohort::task_index q : p.parents) {
    const auto& parent = p.tasks[q];
    std::map<cohort::task_status, std::size_t> by;
    for (cohort::task_index s : parent.subtasks) ++by[p.tasks[s].status];
    std::string subtasks;
    for (const auto& [status, n] : by) subtasks += fmt::format("{}{} {}", subtasks.empty() ? "" : ", ", n, cohort::to_string(status));
    fmt::print("{:<8} {:<40.40} {:<12} {}\n", cohort::terminal_safe(parent.id), cohort::terminal_safe(parent.title),
               cohort::to_string(parent.status), subtasks);
    ++total[parent.status];
  }
  std::string summary;
  for (const auto& [status, n] : total) summary += fmt::format("{}{} {}", summary.empty() ? "" : ", ", n, cohort::to_string(status));
  fmt::print("\n{} parents: {}\n", p.parents.size(), summary);
  return all_done;
}

} // namespace rolling_wave
