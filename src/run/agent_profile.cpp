// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/run/agent_profile.hpp>

#include <array>

namespace cohort {
namespace {

constexpr std::uint64_t mib = 1024 * 1024;

std::array<agent_profile, 3> profiles() {
  agent_profile claude;
  claude.name = "claude";
  claude.argv = {"claude", "-p", "--output-format", "json", "--permission-mode", "acceptEdits",
                 "--no-session-persistence"};
  claude.environment = {{"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1"}, {"CLAUDE_CODE_MAX_RETRIES", "2"}};
  claude.peak_memory = 240 * mib;  // ~231 MB measured against the mock model server

  agent_profile codex;
  codex.name = "codex";
  codex.argv = {"codex", "exec", "--json", "--skip-git-repo-check", "--sandbox", "workspace-write", "-"};
  // peak_memory: not measured yet (0: -j is not limited by memory)

  agent_profile gemini;
  gemini.name = "gemini";
  gemini.argv = {"gemini", "--output-format", "json", "--approval-mode", "auto_edit"};
  gemini.environment = {{"GEMINI_CLI_TRUST_WORKSPACE", "true"}};

  return {claude, codex, gemini};
}

} // namespace

std::optional<agent_profile> find_agent_profile(std::string_view name) {
  for (auto& p : profiles())
    if (p.name == name) return p;
  return std::nullopt;
}

std::vector<std::string> agent_profile_names() {
  std::vector<std::string> out;
  for (const auto& p : profiles()) out.push_back(p.name);
  return out;
}

} // namespace cohort
