// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/git/git.hpp>

#include <cohort/process/process.hpp>

#include <fmt/format.h>

#include <utility>

namespace cohort {

std::string git_output::value() const {
  std::string v = out;
  while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.pop_back();
  return v;
}

std::vector<std::string> git_output::lines() const {
  std::vector<std::string> out_lines;
  std::size_t begin = 0;
  while (begin < out.size()) {
    const std::size_t end = std::min(out.find('\n', begin), out.size());
    out_lines.push_back(out.substr(begin, end - begin));
    begin = end + 1;
  }
  return out_lines;
}

boost::asio::awaitable<git_output> run_git(std::filesystem::path dir, std::vector<std::string> args,
                                           const git_identity* who) {
  process_options o;
  o.argv = {"git", "-c", "core.hooksPath=/dev/null"};
  o.argv.insert(o.argv.end(), std::make_move_iterator(args.begin()), std::make_move_iterator(args.end()));
  o.cwd = std::move(dir);
  o.environment["GIT_TERMINAL_PROMPT"] = "0";
  o.environment["LC_ALL"] = "C";
  if (who) {
    o.environment["GIT_AUTHOR_NAME"] = who->name;
    o.environment["GIT_AUTHOR_EMAIL"] = who->email;
    o.environment["GIT_COMMITTER_NAME"] = who->name;
    o.environment["GIT_COMMITTER_EMAIL"] = who->email;
  }
  o.max_line_bytes = 1 << 20;
  git_output result;
  o.on_line = [&result](const output_line& line) {
    std::string& to = line.stream == output_stream::out ? result.out : result.err;
    to.append(line.text);
    to += '\n';
  };
  const process_result r = co_await run_process(std::move(o));
  result.exit_code = r.exit_code.value_or(-1);
  co_return result;
}

boost::asio::awaitable<git_output> git_checked(std::filesystem::path dir, std::vector<std::string> args,
                                               const git_identity* who) {
  std::string shown = "git";
  for (const auto& a : args) shown += ' ' + a;
  git_output r = co_await run_git(dir, std::move(args), who);
  if (!r.ok()) {
    std::string why = r.err;
    while (!why.empty() && why.back() == '\n') why.pop_back();
    throw system_error(errc::git_failed,
                       fmt::format("cohort: `{}` in {} exited {}: {}", shown, dir.string(), r.exit_code, why));
  }
  co_return r;
}

std::string ref_component(std::string_view name) {
  auto encode = [&](bool dots) {
    std::string out;
    for (unsigned char c : name) {
      const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                         c == '_' || c == '-' || (c == '.' && !dots);
      if (plain) out += static_cast<char>(c);
      else out += fmt::format("%{:02X}", c);
    }
    return out;
  };
  std::string out = encode(false);
  const bool refused = out.empty() || out.front() == '.' || out.back() == '.' ||
                       out.find("..") != std::string::npos ||
                       (out.size() >= 5 && out.compare(out.size() - 5, 5, ".lock") == 0);
  return refused ? encode(true) : out;
}

} // namespace cohort
