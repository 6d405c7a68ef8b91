// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_RUN_PLAN_IDENTITY_HPP
#define COHORT_RUN_PLAN_IDENTITY_HPP

#include <cohort/core/config.hpp>
#include <cohort/plan/plan.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace cohort {

/// What a plan is: a content hash and one fingerprint per task, to tell whether a plan changed
/// between a run and its resume, and which tasks did.
/**
 * A task's fingerprint is the FNV-1a 64 hash of its canonical JSON (`to_json` of plan_json.hpp)
 * without `status` and `subtasks`: statuses are run state (a write-back changes them), and a
 * subtask has its own fingerprint. The plan's hash covers every id and fingerprint in order.
 */
struct plan_identity {
  // tag::outline[]
  std::string path;  ///< the plan file (`plan::source`), for people
  std::string tag;   ///< the Task Master tag (`plan::tag`)
  std::uint64_t hash = 0;
  std::map<std::string, std::uint64_t, std::less<>> tasks;  ///< full id -> fingerprint
  // end::outline[]
};

// tag::outline[]
plan_identity identify(const plan& p);

/// The identity as the journal records it: `{"path","tag","hash","tasks":{id:fp}}`, the hashes
/// as 16 hexadecimal digits.
boost::json::object to_json(const plan_identity& id);

/// Reads `to_json`'s form back; throws `std::exception` on anything else.
plan_identity plan_identity_from_json(const boost::json::object& o);
// end::outline[]

} // namespace cohort

#endif // COHORT_RUN_PLAN_IDENTITY_HPP
