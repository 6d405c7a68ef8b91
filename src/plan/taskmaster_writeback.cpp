// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/plan/taskmaster_writeback.hpp>

#include "common/json_spans.hpp"
#include "common/json_text.hpp"
#include "common/procfs.hpp"
#include "common/system_errors.hpp"
#include "plan/taskmaster_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <optional>
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
        ec = detail::last_error();
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

// Where a target is: the index of its task in the tag's array and, for a subtask, its index in
// the task's `subtasks`. Found in the parsed document, then followed in the text.
struct task_path {
  std::size_t task = 0;
  std::optional<std::size_t> subtask;
};

// The tag's task array, in the document and as a path of member keys in the text.
json::array* tag_tasks(json::value& root, std::string_view tag, std::vector<std::string>& keys) {
  auto* o = root.if_object();
  if (!o) return nullptr;
  if (detail::is_legacy_layout(*o)) {
    keys = {"tasks"};
    return tag.empty() || tag == "master" ? &o->at("tasks").as_array() : nullptr;
  }
  auto* t = o->if_contains(tag);
  keys = {std::string(tag), "tasks"};
  return t && detail::is_tag_object(*t) ? &t->as_object().at("tasks").as_array() : nullptr;
}

std::optional<std::size_t> find_subtask(json::object& parent, std::string_view pid,
                                        std::string_view local) {
  auto* subs = parent.if_contains("subtasks");
  if (!subs || !subs->is_array()) return std::nullopt;
  const auto& list = subs->get_array();
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto* so = list[i].if_object();
    const auto* id = so ? so->if_contains("id") : nullptr;
    if (id && detail::local_subtask_id(*id, pid) == local) return i;
  }
  return std::nullopt;
}

// The task or subtask with this full id, found as the loader finds it (the first one).
std::optional<task_path> find_task(json::array& tasks, std::string_view id) {
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    auto* o = tasks[i].if_object();
    const auto* raw = o ? o->if_contains("id") : nullptr;
    if (!raw) continue;
    const std::string pid = detail::id_text(*raw);
    if (pid.empty()) continue;
    if (pid == id) return task_path{i, std::nullopt};
    if (id.size() > pid.size() + 1 && id.substr(0, pid.size()) == pid && id[pid.size()] == '.')
      if (auto s = find_subtask(*o, pid, id.substr(pid.size() + 1))) return task_path{i, s};
  }
  return std::nullopt;
}

// The value of the last member named `key` (the one a parser keeps), if any.
std::optional<detail::json_span> member(std::string_view text, detail::json_span object,
                                        std::string_view key) {
  std::optional<detail::json_span> found;
  for (const auto& m : detail::json_members(text, object))
    if (m.key == key) found = m.value;
  return found;
}

// The object of `path` in the text, below the tag's task array.
detail::json_span object_at(std::string_view text, detail::json_span tasks, const task_path& path) {
  const detail::json_span task = detail::json_elements(text, tasks).at(path.task);
  if (!path.subtask) return task;
  return detail::json_elements(text, *member(text, task, "subtasks")).at(*path.subtask);
}

struct text_edit {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string text;
};

// The edits that give `object` this status: every `status` member's value replaced (so that
// whichever a reader keeps, it reads the new one), or one member added after the last, spaced
// like the first.
void status_edits(std::string_view text, detail::json_span object, std::string_view status,
                  std::vector<text_edit>& out) {
  const std::string value = detail::format_json(json::value(status));
  const auto members = detail::json_members(text, object);
  bool found = false;
  for (const auto& m : members) {
    if (m.key != "status") continue;
    found = true;
    out.push_back({m.value.begin, m.value.end, value});
  }
  if (found || members.empty()) return;
  const auto& first = members.front();
  const std::string_view indent = text.substr(object.begin + 1, first.key_span.begin - object.begin - 1);
  const std::string_view colon = text.substr(first.key_span.end, first.value.begin - first.key_span.end);
  const std::size_t at = members.back().value.end;
  out.push_back({at, at, fmt::format(",{}\"status\"{}{}", indent, colon, value)});
}

// The new text of the file, or empty when no status changes; sets `ec` and `what` on failure.
std::string apply(std::string_view text, json::value& root, std::string_view tag,
                  const std::vector<status_change>& changes, std::size_t& changed,
                  error_code& ec, std::string& what) {
  changed = 0;
  std::vector<std::string> keys;
  json::array* tasks = tag_tasks(root, tag, keys);
  if (!tasks) return ec = errc::invalid_argument, what = fmt::format("no tag '{}'", tag), "";
  // The last change named for an object wins, as if they were applied in turn.
  std::vector<std::pair<task_path, task_status>> targets;
  for (const auto& c : changes) {
    const auto path = find_task(*tasks, c.id);
    if (!path)
      return ec = errc::invalid_argument, what = fmt::format("tag '{}' has no task {}", tag, c.id), "";
    const auto same = std::find_if(targets.begin(), targets.end(), [&](const auto& t) {
      return t.first.task == path->task && t.first.subtask == path->subtask;
    });
    if (same != targets.end()) same->second = c.status;
    else targets.emplace_back(*path, c.status);
  }
  const std::string_view bom = "\xEF\xBB\xBF";
  detail::json_span tasks_span = detail::json_value_at(text, text.starts_with(bom) ? bom.size() : 0);
  for (const auto& key : keys) tasks_span = *member(text, tasks_span, key);
  std::vector<text_edit> edits;
  for (const auto& [path, status] : targets) {
    json::object& o = path.subtask ? (*tasks)[path.task].at("subtasks").as_array()[*path.subtask].as_object()
                                   : (*tasks)[path.task].as_object();
    const std::string_view wanted = to_string(status);
    const auto* old = o.if_contains("status");
    if (old && old->is_string() && old->get_string() == wanted) continue;
    status_edits(text, object_at(text, tasks_span, path), wanted, edits);
    ++changed;
  }
  if (changed == 0) return "";
  std::sort(edits.begin(), edits.end(), [](const auto& a, const auto& b) { return a.begin > b.begin; });
  std::string out(text);
  for (const auto& e : edits) out.replace(e.begin, e.end - e.begin, e.text);
  return out;
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
  std::size_t changed = 0;
  const std::string out = apply(text, root, tag, changes, changed, ec, what);
  if (ec || changed == 0) return 0;
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
