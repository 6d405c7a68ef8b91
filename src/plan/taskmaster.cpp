// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/plan/taskmaster.hpp>

#include "plan/estimates.hpp"
#include "common/json_text.hpp"
#include "plan/diagnostic_sink.hpp"
#include "plan/taskmaster_format.hpp"

#include <boost/json/serialize.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <utility>

namespace cohort {
namespace {
namespace json = boost::json;
namespace fs = std::filesystem;
using detail::id_text;

using detail::diagnostic_sink;

// ---------------------------------------------------------------------------------------------
// Which tag

struct tag_choice {
  const json::array* tasks = nullptr;
  std::string tag;
  std::string reason;
};

std::vector<std::string> tag_names(const json::object& root) {
  std::vector<std::string> names;
  for (const auto& kv : root)
    if (detail::is_tag_object(kv.value())) names.emplace_back(kv.key());
  return names;
}

tag_choice pick(const json::object& root, const std::string& tag, std::string reason) {
  return {&root.at(tag).at("tasks").get_array(), tag, std::move(reason)};
}

// The project a tasks file belongs to, as Task Master finds it: the folder holding
// `.taskmaster/tasks/tasks.json` or `tasks/tasks.json`, else the nearest folder above the file
// with a `.taskmaster` folder, else the file's own folder. Absolute: a relative path such as
// `.taskmaster/tasks/tasks.json` has no parent to go up to.
fs::path project_root_of(const fs::path& file) {
  std::error_code ec;
  fs::path dir = fs::absolute(file, ec).lexically_normal().parent_path();
  if (ec) dir = file.parent_path();
  if (dir.filename() == "tasks" && dir.parent_path().filename() == ".taskmaster")
    return dir.parent_path().parent_path();
  for (fs::path up = dir; !up.empty(); up = up.parent_path()) {
    if (fs::is_directory(up / ".taskmaster", ec)) return up;
    if (up == up.root_path()) break;
  }
  if (dir.filename() == "tasks") return dir.parent_path();
  return dir;
}

// The tag `.taskmaster/state.json` names (`currentTag`, else `activeTag`), if any.
std::optional<std::string> state_tag(const fs::path& root, diagnostic_sink& r) {
  const fs::path state = root / ".taskmaster" / "state.json";
  std::string text;
  error_code ec;
  detail::read_file(state, text, ec);
  if (ec) return std::nullopt;  // no state file: nothing to follow
  detail::json_error err;
  const json::value v = detail::parse_json(text, err);
  const auto* o = v.if_object();
  for (const char* key : {"currentTag", "activeTag"}) {
    const json::value* t = o ? o->if_contains(key) : nullptr;
    if (t && t->is_string() && !t->get_string().empty()) return std::string(t->get_string());
  }
  r.warning("", state.string(), fmt::format("{} names no tag (no string currentTag); ignored",
                                            state.string()));
  return std::nullopt;
}

tag_choice legacy_choice(const json::object& root, const taskmaster_options& opt, diagnostic_sink& r) {
  if (!opt.tag.empty() && opt.tag != "master")
    r.warning("", opt.tag, fmt::format("the file has the legacy layout (no tags): tag '{}' "
                                       "does not apply; its tasks are read as master", opt.tag));
  return {&root.at("tasks").get_array(), "master", "legacy layout without tags (read as master)"};
}

tag_choice default_choice(const json::object& root, const std::vector<std::string>& tags,
                          diagnostic_sink& r) {
  if (root.contains("master") && detail::is_tag_object(root.at("master")))
    return pick(root, "master", "master, the default tag");
  if (tags.size() == 1) return pick(root, tags.front(), "the only tag (there is no master)");
  r.warning("", tags.front(), fmt::format("no tag chosen and no master: reading the first tag "
                                          "'{}' of {}", tags.front(), fmt::join(tags, ", ")));
  return pick(root, tags.front(), "the first tag (there is no master)");
}

tag_choice choose_tag(const json::object& root, const taskmaster_options& opt,
                      const fs::path& project_root, diagnostic_sink& r) {
  if (detail::is_legacy_layout(root)) return legacy_choice(root, opt, r);
  const auto tags = tag_names(root);
  if (tags.empty()) {
    r.error("", "", "not a Task Master file: no root \"tasks\" array and no tag holding one");
    return {};
  }
  const auto has = [&](const std::string& t) {
    return std::find(tags.begin(), tags.end(), t) != tags.end();
  };
  if (!opt.tag.empty()) {
    if (has(opt.tag)) return pick(root, opt.tag, "the tag asked for");
    r.error("", opt.tag, fmt::format("no tag '{}' in the file; its tags: {}", opt.tag,
                                     fmt::join(tags, ", ")));
    return {};
  }
  if (!project_root.empty()) {
    if (auto t = state_tag(project_root, r)) {
      if (has(*t)) return pick(root, *t, "currentTag of .taskmaster/state.json");
      r.warning("", *t, fmt::format(".taskmaster/state.json names tag '{}', which the file does "
                                    "not have; falling back", *t));
    }
  }
  return default_choice(root, tags, r);
}

// ---------------------------------------------------------------------------------------------
// Tasks and their fields

bool is_text_field(std::string_view key) noexcept {
  return key == "title" || key == "description" || key == "details" || key == "testStrategy" ||
         key == "priority";
}

std::string& text_field(task& t, std::string_view key) {
  if (key == "title") return t.title;
  if (key == "description") return t.description;
  if (key == "details") return t.details;
  if (key == "testStrategy") return t.test_strategy;
  return t.priority;
}

// The members cohort reads into `task` itself (everything else goes to `task::extra`).
bool is_direct_estimate(std::string_view key) noexcept {
  return key == "cohort" || key == "duration_ms" || key == "argv";
}

// Builds the plan from a tag's tasks array, then resolves the dependencies once every id is known.
class builder {
public:
  builder(plan& p, diagnostic_sink& r, broken_edges policy) : p_(p), r_(r), policy_(policy) {}

  void add_parents(const json::array& tasks) {
    std::size_t count = tasks.size();
    for (const auto& v : tasks) {
      const auto* o = v.if_object();
      const auto* subs = o ? o->if_contains("subtasks") : nullptr;
      if (subs && subs->is_array()) count += subs->get_array().size();
    }
    p_.reserve(count);
    deps_.reserve(count);
    for (std::size_t i = 0; i < tasks.size(); ++i) add_parent(tasks[i], i + 1);
  }

  void resolve() {
    for (const auto& [t, refs] : deps_)
      for (const auto& ref : *refs) resolve_one(t, ref);
  }

private:
  void add_parent(const json::value& v, std::size_t position) {
    const auto* o = v.if_object();
    const json::value* raw = o ? o->if_contains("id") : nullptr;
    task t;
    t.id = raw ? id_text(*raw) : std::string();
    if (t.id.empty())
      return r_.error("", raw ? json::serialize(*raw) : std::string(),
                      fmt::format("the task at position {} has no usable id", position));
    read_task(*o, t, false);
    if (!unique(t, [&] { return fmt::format("the task at position {}", position); })) return;
    const task_index i = p_.add_parent(std::move(t));
    if (pending_) deps_.emplace_back(i, pending_);
    if (const auto* subs = subtasks_of(*o, i))
      for (std::size_t k = 0; k < subs->size(); ++k) add_subtask(i, (*subs)[k], k + 1);
  }

  const json::array* subtasks_of(const json::object& o, task_index parent) {
    const json::value* s = o.if_contains("subtasks");
    if (!s || s->is_null()) return nullptr;
    if (!s->is_array()) r_.error(p_.tasks[parent].id, json::serialize(*s), "\"subtasks\" is not an array");
    return s->if_array();
  }

  void add_subtask(task_index parent, const json::value& v, std::size_t position) {
    const std::string& pid = p_.tasks[parent].id;  // the tasks are reserved: it stays put
    const auto* o = v.if_object();
    const json::value* raw = o ? o->if_contains("id") : nullptr;
    const std::string local = raw ? detail::local_subtask_id(*raw, pid) : std::string();
    if (local.empty())
      return r_.error(pid, raw ? json::serialize(*raw) : std::string(),
                      fmt::format("the subtask at position {} has no usable id", position));
    task t;
    t.id = pid + "." + local;
    const std::string written = id_text(*raw);
    if (written.find('.') != std::string::npos && written != t.id)
      r_.warning(t.id, json::serialize(*raw),
                 fmt::format("subtask id {} under task {} is read as {}", written, pid, t.id));
    read_task(*o, t, true);
    if (!unique(t, [&] { return fmt::format("the subtask at position {} of task {}", position, pid); })) return;
    const task_index i = p_.add_subtask(parent, std::move(t));
    if (pending_) deps_.emplace_back(i, pending_);
  }

  // False when `t` must not be added (it is reported). `where()` says which entry it is.
  template <class Where>
  bool unique(const task& t, Where where) {
    const auto other = p_.find(t.id);
    if (!other) return true;
    const bool finished = is_finished(t.status) && is_finished(p_.tasks[*other].status);
    r_.add(finished ? severity::warning : severity::error, t.id, t.id,
           fmt::format("duplicate id {}: {} has the id of an earlier one and is ignored", t.id,
                       where()));
    return false;
  }

  void read_task(const json::object& o, task& t, bool is_subtask) {
    pending_ = nullptr;
    for (const auto& kv : o) read_member(kv.key(), kv.value(), t, is_subtask);
    read_estimates_of(o, t);
  }

  void read_member(std::string_view key, const json::value& v, task& t, bool is_subtask) {
    if (key == "id" || is_direct_estimate(key) || (key == "subtasks" && !is_subtask)) return;
    if (key == "status") return read_status(v, t);
    if (key == "dependencies") return read_dependencies(v, t);
    if (is_text_field(key) && v.is_string()) {
      text_field(t, key) = v.get_string();
    } else if (!is_text_field(key) || !v.is_null()) {
      if (key == "subtasks" && v.is_array() && !v.get_array().empty())
        r_.warning(t.id, "subtasks", "nested subtasks are kept in the file but not scheduled");
      t.extra.emplace(key, v);  // unknown, or a known field of a kind cohort does not model
    }
  }

  void read_status(const json::value& v, task& t) {
    if (v.is_null()) return;
    const auto s = v.is_string() ? parse_task_status(v.get_string()) : std::nullopt;
    if (s) t.status = *s;
    else r_.error(t.id, v.is_string() ? std::string(v.get_string()) : json::serialize(v),
                  fmt::format("unknown status {}", json::serialize(v)));
  }

  void read_dependencies(const json::value& v, task& t) {
    if (v.is_array()) pending_ = &v.get_array();
    else if (!v.is_null()) r_.error(t.id, json::serialize(v), "\"dependencies\" is not an array");
  }

  // The benchmark harness's direct `duration_ms` and `argv`, then the `cohort` object (it wins).
  void read_estimates_of(const json::object& o, task& t) {
    std::vector<std::string> problems;
    for (const char* key : {"duration_ms", "argv"})
      if (const auto* v = o.if_contains(key)) detail::read_estimate(key, *v, t, problems);
    if (const auto* c = o.if_contains("cohort")) {
      if (c->is_object()) detail::read_estimates(c->get_object(), t, problems);
      else problems.push_back("\"cohort\" is not an object: " + json::serialize(*c));
    }
    for (auto& p : problems) r_.error(t.id, "", std::move(p));
  }

  void resolve_one(task_index t, const json::value& ref) {
    const std::string text = id_text(ref);
    std::string shown = json::serialize(ref);
    if (text.empty()) return broken(t, shown, fmt::format("invalid dependency {}: not an id", shown));
    const auto target = lookup(t, ref, text);
    if (!target) return broken(t, shown, missing_message(t, ref, text, shown));
    if (*target == t) return broken(t, shown, fmt::format("depends on itself ({})", shown));
    p_.add_dependency(t, *target);
  }

  // A subtask's dependency is a full id when it is a dotted string or a float (rule 2).
  static bool is_full_id_form(const json::value& ref, const std::string& text) {
    return ref.is_double() || (ref.is_string() && text.find('.') != std::string::npos);
  }

  std::optional<task_index> lookup(task_index t, const json::value& ref, const std::string& text) {
    const task& k = p_.tasks[t];
    if (k.is_parent() || is_full_id_form(ref, text)) return p_.find(text);
    const std::string sibling = p_.tasks[*k.parent].id + "." + text;
    if (auto s = p_.find(sibling)) return s;
    const auto top = p_.find(text);
    if (!top || !p_.tasks[*top].is_parent()) return std::nullopt;
    r_.warning(k.id, json::serialize(ref),
               fmt::format("dependency {} has no sibling {}: read as task {} (Task Master's `next` "
                           "reads the sibling and would never start {})",
                           json::serialize(ref), sibling, text, k.id));
    return top;
  }

  std::string missing_message(task_index t, const json::value& ref, const std::string& text,
                              const std::string& shown) const {
    const task& k = p_.tasks[t];
    if (k.is_parent() || is_full_id_form(ref, text))
      return fmt::format("missing dependency {}: no task {}", shown, text);
    return fmt::format("missing dependency {}: no subtask {}.{} and no task {}", shown,
                       p_.tasks[*k.parent].id, text, text);
  }

  // A dependency that cannot be kept: left out of the plan, reported by the policy.
  void broken(task_index t, std::string ref, std::string message) {
    const task& k = p_.tasks[t];
    if (is_finished(k.status)) {
      r_.warning(k.id, std::move(ref), message + " (ignored: the task is finished)");
    } else if (policy_ == broken_edges::drop) {
      r_.warning(k.id, std::move(ref), message + " (dropped)");
    } else {
      r_.error(k.id, std::move(ref), std::move(message));
    }
  }

  plan& p_;
  diagnostic_sink& r_;
  broken_edges policy_;
  const json::array* pending_ = nullptr;  // the dependencies of the task being read
  std::vector<std::pair<task_index, const json::array*>> deps_;
};

// ---------------------------------------------------------------------------------------------
// The sidecar

void apply_sidecar(plan& p, const fs::path& file, diagnostic_sink r) {
  r.context.file = file.string();
  std::string text;
  error_code ec;
  detail::read_file(file, text, ec);
  if (ec) return r.error("", "", "cannot read the sidecar: " + ec.message());
  detail::json_error err;
  const json::value v = detail::parse_json(text, err);
  if (err.ec) return r.syntax_error(err, "JSON syntax error");
  if (!v.is_object()) return r.error("", "", "the sidecar is not a JSON object keyed by task id");
  for (const auto& kv : v.get_object()) {
    const std::string id = kv.key();
    const auto i = p.find(id);
    if (!i) {
      r.warning(id, id, "the sidecar names a task the plan does not have; ignored");
    } else if (!kv.value().is_object()) {
      r.error(id, json::serialize(kv.value()), "a sidecar entry must be an object");
    } else {
      std::vector<std::string> problems;
      detail::read_estimates(kv.value().get_object(), p.tasks[*i], problems);
      for (auto& m : problems) r.error(id, "", std::move(m));
    }
  }
}

// `owned`: the string `text` views, if the loader owns it; freed once parsed, so that the peak
// of a load is the document and the plan, not the text too.
loaded_plan load_text(std::string_view text, const taskmaster_options& opt, std::string file,
                      const fs::path& project_root, std::string* owned = nullptr) {
  loaded_plan out;
  diagnostic_sink r{out.diagnostics, {}};
  r.context.file = file;
  detail::json_error err;
  const json::value v = detail::parse_json(text, err);
  if (owned && !err.ec) std::string().swap(*owned);
  if (err.ec) return r.syntax_error(err, "JSON syntax error"), out;
  if (!v.is_object()) return r.error("", "", "not a Task Master file: not a JSON object"), out;
  const tag_choice c = choose_tag(v.get_object(), opt, project_root, r);
  if (!c.tasks) return out;
  out.plan.source = std::move(file);
  out.plan.tag = c.tag;
  out.tag_reason = c.reason;
  r.context.tag = c.tag;
  builder b(out.plan, r, opt.on_broken);
  b.add_parents(*c.tasks);
  b.resolve();
  if (!opt.sidecar.empty()) apply_sidecar(out.plan, opt.sidecar, r);
  break_cycles(out.plan, opt.on_broken, r.context, out.diagnostics);
  return out;
}

} // namespace

loaded_plan parse_taskmaster(std::string_view text, const taskmaster_options& options) {
  return load_text(text, options, options.file_name, options.project_root);
}

loaded_plan read_taskmaster(const fs::path& file, const taskmaster_options& options) {
  std::string text;
  error_code ec;
  detail::read_file(file, text, ec);
  if (ec) {
    loaded_plan out;
    diagnostic d;
    d.file = file.string();
    d.message = "cannot read the file: " + ec.message();
    out.diagnostics.push_back(std::move(d));
    return out;
  }
  const fs::path root = options.project_root.empty() ? project_root_of(file) : options.project_root;
  return load_text(text, options, file.string(), root, &text);
}

plan load_taskmaster(const fs::path& file, const taskmaster_options& options) {
  loaded_plan l = read_taskmaster(file, options);
  throw_if_errors(l.diagnostics);
  return std::move(l.plan);
}

plan load_taskmaster(const fs::path& file, const taskmaster_options& options, error_code& ec) {
  loaded_plan l = read_taskmaster(file, options);
  ec = l.ok() ? error_code() : error_code(errc::plan_invalid);
  return l.ok() ? std::move(l.plan) : plan();
}

} // namespace cohort
