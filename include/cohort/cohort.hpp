// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_COHORT_HPP
#define COHORT_COHORT_HPP

// Every public header of cohort, layer by layer; no code of its own.

#include <cohort/core.hpp>
#include <cohort/process.hpp>
#include <cohort/git.hpp>
#include <cohort/plan.hpp>
#include <cohort/analysis.hpp>
#include <cohort/run.hpp>
#include <cohort/view.hpp>
#include <cohort/testing.hpp>

#endif // COHORT_COHORT_HPP
