// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_PLAN_HPP
#define COHORT_PLAN_HPP

// The plan layer: the task model as plain data; Task Master and cohort JSON in and out; validation.
// Every public header of the layer; no code of its own.

#include <cohort/plan/plan.hpp>
#include <cohort/plan/task_text.hpp>
#include <cohort/plan/plan_json.hpp>
#include <cohort/plan/taskmaster.hpp>
#include <cohort/plan/taskmaster_writeback.hpp>
#include <cohort/plan/validation.hpp>

#endif // COHORT_PLAN_HPP
