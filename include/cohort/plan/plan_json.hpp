// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_PLAN_PLAN_JSON_HPP
#define COHORT_PLAN_PLAN_JSON_HPP

#include <cohort/core/config.hpp>
#include <cohort/core/error.hpp>
#include <cohort/plan/plan.hpp>
#include <cohort/plan/validation.hpp>

#include <boost/json/value.hpp>

#include <filesystem>
#include <string>
#include <string_view>

namespace cohort {

/// cohort's own plan format: a plan with its estimates, as JSON. Saving then loading gives
/// the same plan.
/**
 * @code
 * {
 *   "cohort_plan": 1,
 *   "source": "tasks.json", "tag": "master",
 *   "tasks": [
 *     {"id": "11", "title": "...", "status": "done"},
 *     {"id": "12", "title": "...", "description": "...", "details": "...",
 *      "test_strategy": "...", "status": "pending", "priority": "high",
 *      "dependencies": ["11"], "duration_ms": 1500000, "tokens": 12000,
 *      "owns": ["src/net/"], "argv": ["claude", "-p", "..."], "extra": {"phase": 2},
 *      "subtasks": [{"id": "12.1", "dependencies": ["12.2", "11"]}, {"id": "12.2"}]}
 *   ]
 * }
 * @endcode
 * Ids are full ids (`"12.1"`); dependencies are full ids, exactly. Every member but `id` is
 * optional and omitted when empty; `duration` may be given as text (`"25m"`) when written by
 * hand. `extra` holds the source's unknown fields. Loading checks what the Task Master loader
 * checks (missing, duplicate and self references, cycles, unknown statuses) and reports the
 * same `diagnostic`s; an unknown member of a task is a warning.
 */
/**
 * @par Errors
 * Throws `system_error` (`errc::invalid_argument`) when a task's `extra` is neither empty nor
 * the text of a JSON object.
 */
boost::json::value to_json(const plan& p);
/// Task `t` as `to_json(p)` writes it, without its subtasks. Throws as `to_json(p)`.
boost::json::object to_json(const plan& p, task_index t);

/// The plan as cohort's JSON, indented by 2 spaces.
std::string format_plan(const plan& p);

/// Reads cohort's JSON from text (1) or a file (2); never throws for a bad plan.
loaded_plan parse_plan(std::string_view text, broken_edges on_broken = broken_edges::refuse,
                       std::string file_name = {});
loaded_plan read_plan(const std::filesystem::path& file,
                      broken_edges on_broken = broken_edges::refuse);

/// Loads cohort's JSON from a file, refusing an invalid plan: (1) throws, (2) sets `ec`.
/**
 * @par Errors
 * `errc::plan_invalid`, with every error one per line in the exception's message.
 */
plan load_plan(const std::filesystem::path& file);
plan load_plan(const std::filesystem::path& file, error_code& ec);

/// Writes `format_plan(p)` to `file` atomically (temporary file, then rename): (1) throws
/// `system_error`, (2) sets `ec`.
void save_plan(const plan& p, const std::filesystem::path& file);
void save_plan(const plan& p, const std::filesystem::path& file, error_code& ec);

} // namespace cohort

#endif // COHORT_PLAN_PLAN_JSON_HPP
