// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_RUN_AGENT_PROFILE_HPP
#define COHORT_RUN_AGENT_PROFILE_HPP

#include <cohort/core/config.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cohort {

/// How cohort runs one agent CLI: its command, its environment, and what it costs to run.
/**
 * The profiles, by name:
 *
 * - `claude`: `claude -p --output-format json --permission-mode acceptEdits
 *   --no-session-persistence`, the prompt on standard input. It edits inside its work dir without
 *   asking (a tool call it would have to ask for is refused, and the attempt fails naming it),
 *   keeps no session files, and makes no traffic but the model's
 *   (`CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1`). Its own retries of a failed request are
 *   bounded (`CLAUDE_CODE_MAX_RETRIES=2`, against its default of 10 over about 3 minutes), so
 *   that they do not multiply cohort's run-wide pause. Its usage, cost, message and errors come
 *   from its JSON result (usage.hpp).
 * - `codex`: `codex exec --json --skip-git-repo-check --sandbox workspace-write -`, the prompt
 *   on standard input; usage from its `turn.completed` events, errors from `turn.failed`.
 *   Without a reachable model codex retries for ever: give the run a `--timeout`.
 * - `gemini`: `gemini --output-format json --approval-mode auto_edit` (its edit tools approved,
 *   its shell not: task text never gets a shell), the prompt on standard input
 *   (`GEMINI_CLI_TRUST_WORKSPACE=true`); usage from its `stats`.
 *
 * Anything else given as an agent is a command of its own (agent_command.hpp).
 */
struct agent_profile {
  // tag::outline[]
  std::string name;                                             ///< `claude`, `codex`, `gemini`
  std::vector<std::string> argv;                                ///< the command (no placeholder)
  std::map<std::string, std::string, std::less<>> environment;  ///< added to the agent's
  bool prompt_on_stdin = true;
  std::uint64_t peak_memory = 0;  ///< bytes one agent takes at its peak (measured), 0: unknown
  // end::outline[]
};

/// The profile named `name`; empty when there is none.
std::optional<agent_profile> find_agent_profile(std::string_view name);

/// The names of every profile, for help texts.
std::vector<std::string> agent_profile_names();

} // namespace cohort

#endif // COHORT_RUN_AGENT_PROFILE_HPP
