// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/plan/plan.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <functional>
#include <limits>
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

std::size_t id_hash(std::string_view id) noexcept { return std::hash<std::string_view>{}(id); }
// The high bits of the hash (the low ones pick the slot); 0 where size_t has only 32 bits.
constexpr std::uint32_t hash_tag(std::size_t h) noexcept {
  return static_cast<std::uint32_t>(static_cast<std::uint64_t>(h) >> 32);
}

// Whether `ids` ids would fill more than three quarters of `slots` slots.
constexpr bool over_full(std::size_t ids, std::size_t slots) noexcept { return 4 * ids > 3 * slots; }

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
  tasks.push_back(std::move(t));
  index_id(i);
  parents.push_back(i);
  return i;
}

task_index plan::add_subtask(task_index parent, task t) {
  COHORT_ASSERT(parent < tasks.size() && tasks[parent].is_parent());
  if (t.id.find('.') == std::string::npos) t.id = tasks[parent].id + "." + t.id;
  t.parent = parent;
  const task_index i = tasks.size();
  tasks.push_back(std::move(t));
  index_id(i);
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
  if (over_full(n, id_slots_.size())) rehash_ids(std::bit_ceil(n + n / 3 + 1));
}

std::optional<task_index> plan::find(std::string_view id) const {
  if (id_slots_.empty()) return std::nullopt;
  const id_slot s = id_slots_[slot_of(id, id_hash(id))];
  if (s.task == 0) return std::nullopt;
  return s.task - 1;
}

void plan::prefetch(std::string_view id) const noexcept {
  if (!id_slots_.empty()) __builtin_prefetch(&id_slots_[id_hash(id) & (id_slots_.size() - 1)]);
}

// Linear probing from the hash: the slot that holds `id`, else the empty slot where it would go.
std::size_t plan::slot_of(std::string_view id, std::size_t h) const {
  const std::size_t mask = id_slots_.size() - 1;
  std::size_t k = h & mask;
  for (; id_slots_[k].task != 0; k = (k + 1) & mask) {
    if (id_slots_[k].hash == hash_tag(h) && tasks[id_slots_[k].task - 1].id == id) break;
  }
  return k;
}

// The first task with an id keeps it: a later duplicate is not indexed (the loaders report it).
void plan::index_id(task_index i) {
  COHORT_ASSERT(i < std::numeric_limits<std::uint32_t>::max());
  if (over_full(ids_ + 1, id_slots_.size())) rehash_ids(std::max<std::size_t>(16, 2 * id_slots_.size()));
  const std::size_t h = id_hash(tasks[i].id);
  id_slot& s = id_slots_[slot_of(tasks[i].id, h)];
  if (s.task != 0) return;
  s = {static_cast<std::uint32_t>(i + 1), hash_tag(h)};
  ++ids_;
}

void plan::rehash_ids(std::size_t slots) {
  std::vector<id_slot> old(slots);
  old.swap(id_slots_);
  for (const id_slot& s : old) {
    if (s.task == 0) continue;
    const std::string_view id = tasks[s.task - 1].id;
    const std::size_t h = id_hash(id);
    id_slots_[slot_of(id, h)] = {s.task, hash_tag(h)};  // ids in the index are unique: an empty slot
  }
}

} // namespace cohort
