// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_SRC_PLAN_TASKMASTER_FORMAT_HPP
#define COHORT_SRC_PLAN_TASKMASTER_FORMAT_HPP

// Private to the library: the facts of the Task Master layout that the loader and the
// write-back must agree on. Not installed.

#include "common/json_text.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace cohort::detail {

/// A tag object: `{"tasks": [...], ...}`.
inline bool is_tag_object(const boost::json::value& v) {
  const auto* o = v.if_object();
  if (!o) return false;
  const auto* tasks = o->if_contains("tasks");
  return tasks && tasks->is_array();
}

/// The legacy layout: a root `tasks` array and no member holding a tag object (Task Master's
/// `hasTaggedStructure`).
inline bool is_legacy_layout(const boost::json::object& root) {
  const auto* tasks = root.if_contains("tasks");
  if (!tasks || !tasks->is_array()) return false;
  for (const auto& kv : root)
    if (is_tag_object(kv.value())) return false;
  return true;
}

/// The local id of a subtask under `parent_id`: `String(id)`, or for a dotted id the part after
/// `"<parent_id>."` (or, under another parent, after the last dot).
inline std::string local_subtask_id(const boost::json::value& id, std::string_view parent_id) {
  std::string text = id_text(id);
  const std::size_t dot = text.rfind('.');
  if (dot == std::string::npos) return text;
  const std::string prefix = std::string(parent_id) + ".";
  if (text.size() > prefix.size() && text.compare(0, prefix.size(), prefix) == 0)
    return text.substr(prefix.size());
  return text.substr(dot + 1);
}

} // namespace cohort::detail

#endif // COHORT_SRC_PLAN_TASKMASTER_FORMAT_HPP
