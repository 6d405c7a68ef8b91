// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/plan/plan.hpp>

#include <algorithm>
#include <array>
#include <utility>

namespace cohort {
namespace {

struct status_name {
  task_status status;
  std::string_view text;
};

constexpr std::array<status_name, 7> status_names{{
    {task_status::pending, "pending"},
    {task_status::in_progress, "in-progress"},
    {task_status::done, "done"},
    {task_status::review, "review"},
    {task_status::deferred, "deferred"},
    {task_status::cancelled, "cancelled"},
    {task_status::blocked, "blocked"},
}};

} // namespace

std::string_view to_string(task_status s) noexcept {
  for (const auto& n : status_names) {
    if (n.status == s) return n.text;
  }
  return "pending";
}

std::optional<task_status> parse_task_status(std::string_view text) noexcept {
  if (text == "completed") return task_status::done;
  for (const auto& n : status_names) {
    if (n.text == text) return n.status;
  }
  return std::nullopt;
}

task_index plan::add_parent(task t) {
  t.parent.reset();
  const task_index i = tasks.size();
  by_id_.emplace(t.id, i);
  tasks.push_back(std::move(t));
  parents.push_back(i);
  return i;
}

task_index plan::add_subtask(task_index parent, task t) {
  COHORT_ASSERT(parent < tasks.size() && tasks[parent].is_parent());
  if (t.id.find('.') == std::string::npos) t.id = tasks[parent].id + "." + t.id;
  t.parent = parent;
  const task_index i = tasks.size();
  by_id_.emplace(t.id, i);
  tasks.push_back(std::move(t));
  tasks[parent].subtasks.push_back(i);
  return i;
}

void plan::add_dependency(task_index t, task_index dependency) {
  COHORT_ASSERT(t < tasks.size() && dependency < tasks.size());
  auto& deps = tasks[t].dependencies;
  if (std::find(deps.begin(), deps.end(), dependency) == deps.end()) deps.push_back(dependency);
}

void plan::reserve(std::size_t n) {
  tasks.reserve(n);
  by_id_.reserve(n);
}

std::optional<task_index> plan::find(std::string_view id) const {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return std::nullopt;
  return it->second;
}

} // namespace cohort
