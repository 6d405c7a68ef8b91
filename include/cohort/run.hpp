// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_RUN_HPP
#define COHORT_RUN_HPP

// The run layer: the executor, its events, launchers, the run directory, the journal, resume.
// Every public header of the layer; no code of its own.

#include <cohort/run/agent_command.hpp>
#include <cohort/run/agent_profile.hpp>
#include <cohort/run/event_channel.hpp>
#include <cohort/run/events.hpp>
#include <cohort/run/executor.hpp>
#include <cohort/run/journal.hpp>
#include <cohort/run/journal_state.hpp>
#include <cohort/run/launcher.hpp>
#include <cohort/run/plan_identity.hpp>
#include <cohort/run/process_launcher.hpp>
#include <cohort/run/rate_gate.hpp>
#include <cohort/run/resume.hpp>
#include <cohort/run/run_dir.hpp>
#include <cohort/run/slurm_launcher.hpp>
#include <cohort/run/worktree_launcher.hpp>

#endif // COHORT_RUN_HPP
