// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_COHORT_HPP
#define COHORT_COHORT_HPP

// Every public header of cohort; no code of its own.

#include <cohort/analysis.hpp>
#include <cohort/config.hpp>
#include <cohort/dashboard.hpp>
#include <cohort/error.hpp>
#include <cohort/event_log.hpp>
#include <cohort/events.hpp>
#include <cohort/executor.hpp>
#include <cohort/journal.hpp>
#include <cohort/fake_launcher.hpp>
#include <cohort/launcher.hpp>
#include <cohort/ownership.hpp>
#include <cohort/pacer.hpp>
#include <cohort/plan.hpp>
#include <cohort/plan_json.hpp>
#include <cohort/process.hpp>
#include <cohort/render.hpp>
#include <cohort/report.hpp>
#include <cohort/resume.hpp>
#include <cohort/scope.hpp>
#include <cohort/semaphore.hpp>
#include <cohort/simulation.hpp>
#include <cohort/taskmaster_writeback.hpp>
#include <cohort/taskmaster.hpp>
#include <cohort/trace.hpp>
#include <cohort/usage.hpp>
#include <cohort/validation.hpp>

#endif // COHORT_COHORT_HPP
