// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_ANALYSIS_HPP
#define COHORT_ANALYSIS_HPP

// The analysis layer: pure functions over a plan: waves, critical path, projections, simulation, ownership.
// Every public header of the layer; no code of its own.

#include <cohort/analysis/analysis.hpp>
#include <cohort/analysis/ownership.hpp>
#include <cohort/analysis/plan_analysis.hpp>
#include <cohort/analysis/simulation.hpp>

#endif // COHORT_ANALYSIS_HPP
