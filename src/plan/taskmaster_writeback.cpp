// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/plan/taskmaster_writeback.hpp>

#include "common/json_text.hpp"
#include "common/procfs.hpp"
#include "plan/taskmaster_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <thread>

#include <sys/stat.h>
#include <unistd.h>

namespace cohort {
namespace {
namespace json = boost::json;
namespace fs = std::filesystem;

error_code busy() {
  return boost::system::errc::make_error_code(boost::system::errc::device_or_resource_busy);
}

// Task Master's lock, `<file>.lock`, taken with mkdir; removed on destruction. Ours carries its
// owner (`cohort-owner`: pid and /proc start time), so that a lock left by a cohort killed with
// -9 is taken over at once; one without an owner (Task Master's) only once it is stale.
class file_lock {
public:
  file_lock(const fs::path& file, const writeback_options& o, error_code& ec)
      : path_(file.string() + ".lock") {
    for (int attempt = 0; attempt <= o.lock_retries; ++attempt) {
      if (::mkdir(path_.c_str(), 0755) == 0) {
        held_ = true;
        mark_owner();
        return;
      }
      if (errno != EEXIST) {
        ec = {errno, boost::system::system_category()};
        return;
      }
      if (owner_is_gone() || is_stale(o.lock_stale)) {
        if (remove_lock()) {
          --attempt;  // not a wait: try again at once
          continue;
        }
      }
      if (attempt < o.lock_retries)
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min(100 << attempt, 1000)));
    }
    ec = busy();
  }
  ~file_lock() {
    if (!held_) return;
    ::unlink(owner_file().c_str());
    ::rmdir(path_.c_str());
  }
  file_lock(const file_lock&) = delete;
  file_lock& operator=(const file_lock&) = delete;

private:
  std::string owner_file() const { return path_ + "/cohort-owner"; }

  void mark_owner() const {
    const auto self = detail::read_proc_stat(::getpid());
    const std::string text = fmt::format("{} {}\n", ::getpid(), self ? self->start_time : 0);
    error_code ignored;  // without the mark the lock is still a lock: only its take-over waits
    detail::write_file_atomic(owner_file(), text, ignored);
  }

  // Our mark names a process that is no longer there (or a pid reused by another).
  bool owner_is_gone() const {
    std::string text;
    error_code ec;
    detail::read_file(owner_file(), text, ec);
    int pid = 0;
    unsigned long long start = 0;
    if (ec || std::sscanf(text.c_str(), "%d %llu", &pid, &start) != 2 || pid <= 0) return false;
    const auto now = detail::read_proc_stat(pid);
    return !now || now->start_time != start;
  }

  // A lock (directory or file) not refreshed for `stale` belongs to a dead process.
  bool is_stale(std::chrono::milliseconds stale) const {
    std::error_code ec;
    const auto written = fs::last_write_time(path_, ec);
    return !ec && fs::file_time_type::clock::now() - written >= stale;
  }

  bool remove_lock() const {
    std::error_code ec;
    fs::remove_all(path_, ec);
    return !ec;
  }

  std::string path_;
  bool held_ = false;
};

json::array* tag_tasks(json::value& root, std::string_view tag) {
  auto* o = root.if_object();
  if (!o) return nullptr;
  if (detail::is_legacy_layout(*o))
    return tag.empty() || tag == "master" ? &o->at("tasks").as_array() : nullptr;
  auto* t = o->if_contains(tag);
  return t && detail::is_tag_object(*t) ? &t->as_object().at("tasks").as_array() : nullptr;
}

json::object* find_subtask(json::object& parent, std::string_view pid, std::string_view local) {
  auto* subs = parent.if_contains("subtasks");
  if (!subs || !subs->is_array()) return nullptr;
  for (auto& s : subs->get_array()) {
    auto* so = s.if_object();
    const auto* id = so ? so->if_contains("id") : nullptr;
    if (id && detail::local_subtask_id(*id, pid) == local) return so;
  }
  return nullptr;
}

// The task or subtask with this full id, found as the loader finds it (the first one).
json::object* find_task(json::array& tasks, std::string_view id) {
  for (auto& t : tasks) {
    auto* o = t.if_object();
    const auto* raw = o ? o->if_contains("id") : nullptr;
    if (!raw) continue;
    const std::string pid = detail::id_text(*raw);
    if (pid.empty()) continue;
    if (pid == id) return o;
    if (id.size() > pid.size() + 1 && id.substr(0, pid.size()) == pid && id[pid.size()] == '.')
      if (auto* s = find_subtask(*o, pid, id.substr(pid.size() + 1))) return s;
  }
  return nullptr;
}

// Sets the statuses in `root`; returns how many changed, or sets `ec` and `what`.
std::size_t apply(json::value& root, std::string_view tag, const std::vector<status_change>& changes,
                  error_code& ec, std::string& what) {
  json::array* tasks = tag_tasks(root, tag);
  if (!tasks) return ec = errc::invalid_argument, what = fmt::format("no tag '{}'", tag), 0;
  std::vector<json::object*> targets;
  for (const auto& c : changes) {
    targets.push_back(find_task(*tasks, c.id));
    if (!targets.back())
      return ec = errc::invalid_argument, what = fmt::format("tag '{}' has no task {}", tag, c.id), 0;
  }
  std::size_t changed = 0;
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const std::string_view text = to_string(changes[i].status);
    const auto* old = targets[i]->if_contains("status");
    if (old && old->is_string() && old->get_string() == text) continue;
    (*targets[i])["status"] = text;
    ++changed;
  }
  return changed;
}

std::size_t write_status(const fs::path& file, std::string_view tag,
                         const std::vector<status_change>& changes, const writeback_options& o,
                         error_code& ec, std::string& what) {
  file_lock lock(file, o, ec);
  if (ec) return what = "cannot take the lock " + file.string() + ".lock", 0;
  std::string text;
  detail::read_file(file, text, ec);
  if (ec) return what = "cannot read " + file.string(), 0;
  detail::json_error err;
  json::value root = detail::parse_json(text, err);
  if (err.ec)
    return ec = errc::plan_invalid,
           what = fmt::format("{}:{}:{}: {}", file.string(), err.line, err.column, err.ec.message()), 0;
  const std::size_t changed = apply(root, tag, changes, ec, what);
  if (ec || changed == 0) return 0;
  std::string out = detail::format_json(root);
  if (!text.empty() && text.back() == '\n') out += '\n';
  detail::write_file_atomic(file, out, ec);
  if (ec) return what = "cannot write " + file.string(), 0;
  return changed;
}

} // namespace

std::size_t set_taskmaster_status(const fs::path& file, std::string_view tag,
                                  const std::vector<status_change>& changes,
                                  const writeback_options& options) {
  error_code ec;
  std::string what;
  const std::size_t n = write_status(file, tag, changes, options, ec, what);
  if (ec) throw system_error(ec, "set_taskmaster_status: " + file.string() + ": " + what);
  return n;
}

std::size_t set_taskmaster_status(const fs::path& file, std::string_view tag,
                                  const std::vector<status_change>& changes,
                                  const writeback_options& options, error_code& ec) {
  ec = {};
  std::string what;
  return write_status(file, tag, changes, options, ec, what);
}

} // namespace cohort
