// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_VIEW_HPP
#define COHORT_VIEW_HPP

// The view layer: observers and renderings: dashboard, trace, run report, event log, text/DOT/Mermaid.
// Every public header of the layer; no code of its own.

#include <cohort/view/dashboard.hpp>
#include <cohort/view/event_log.hpp>
#include <cohort/view/render.hpp>
#include <cohort/view/report.hpp>
#include <cohort/view/terminal_text.hpp>
#include <cohort/view/trace.hpp>

#endif // COHORT_VIEW_HPP
