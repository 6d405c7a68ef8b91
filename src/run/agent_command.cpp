// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/run/agent_command.hpp>

#include <cohort/core/error.hpp>

#include <fmt/format.h>

namespace cohort {
namespace {

// Appends `arg` with its placeholders replaced to `out`.
void render_one(std::string_view arg, const placeholder_values& values, std::string& out) {
  for (std::size_t i = 0; i < arg.size(); ++i) {
    const char c = arg[i];
    if ((c == '{' || c == '}') && i + 1 < arg.size() && arg[i + 1] == c) {
      out += c;
      ++i;
      continue;
    }
    const auto close = c == '{' ? arg.find('}', i) : std::string_view::npos;
    if (close != std::string_view::npos) {
      auto it = values.find(arg.substr(i + 1, close - i - 1));
      if (it != values.end()) {
        out += it->second;
        i = close;
        continue;
      }
    }
    out += c;
  }
}

void section(std::string& out, std::string_view heading, std::string_view text) {
  if (text.empty()) return;
  fmt::format_to(std::back_inserter(out), "\n## {}\n\n{}\n", heading, text);
}

} // namespace

std::vector<std::string> render_argv(const std::vector<std::string>& argv_template,
                                     const placeholder_values& values) {
  std::vector<std::string> argv;
  argv.reserve(argv_template.size());
  bool options_ended = false;  // a "--" came before: what follows is never an option
  for (std::size_t i = 0; i < argv_template.size(); ++i) {
    const std::string& arg = argv_template[i];
    std::string rendered;
    render_one(arg, values, rendered);
    const bool whole_placeholder = arg.size() > 2 && arg.front() == '{' && arg.back() == '}' &&
                                   arg.find('{', 1) == std::string::npos &&
                                   values.contains(std::string_view(arg).substr(1, arg.size() - 2));
    if (i > 0 && whole_placeholder && !options_ended && rendered.starts_with('-')) {
      throw system_error(errc::invalid_argument,
                         fmt::format("cohort: {} is '{}', which the agent would read as an option; "
                                     "put -- before {} in the agent command to pass it as text",
                                     arg, rendered, arg));
    }
    options_ended = options_ended || arg == "--";
    argv.push_back(std::move(rendered));
  }
  return argv;
}

std::string build_prompt(const plan& p, task_index t) {
  const task& task = p.tasks[t];
  std::string out = fmt::format("# Task {}: {}\n", task.id, task.title);
  if (task.parent) {
    const auto& parent = p.tasks[*task.parent];
    out += fmt::format("\nThis is a subtask of task {}: {}\n", parent.id, parent.title);
    section(out, "Parent task", parent.text.description());
  }
  section(out, "Description", task.text.description());
  section(out, "Details", task.text.details());
  section(out, "Test strategy", task.text.test_strategy());
  if (!task.owns.empty()) {
    out += "\n## Files you own\n\nChange only files matching these patterns:\n\n";
    for (const auto& glob : task.owns) fmt::format_to(std::back_inserter(out), "- `{}`\n", glob);
  }
  return out;
}

placeholder_values task_placeholders(const plan& p, task_index t) {
  const task& task = p.tasks[t];
  return {{"id", task.id},
          {"title", task.title},
          {"parent", task.parent ? p.tasks[*task.parent].id : task.id},
          {"duration_ms", task.duration ? std::to_string(task.duration->count()) : std::string()}};
}

} // namespace cohort
