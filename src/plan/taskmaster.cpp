// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/plan/taskmaster.hpp>

#include "plan/estimates.hpp"
#include "common/json_text.hpp"
#include "plan/diagnostic_sink.hpp"
#include "plan/taskmaster_format.hpp"
#include "common/json_stream.hpp"

#include <boost/json/serialize.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>
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

// What the file holds at its root: a legacy `tasks` array, and the tag objects (members whose
// value has a `tasks` array), in file order.
struct root_layout {
  bool tasks_array = false;
  std::vector<std::string> tags;

  bool has(const std::string& t) const { return std::find(tags.begin(), tags.end(), t) != tags.end(); }
  /// Task Master's `hasTaggedStructure`, negated: a root `tasks` array and no tag object.
  bool legacy() const noexcept { return tasks_array && tags.empty(); }
};

struct tag_choice {
  bool chosen = false;
  std::string tag;
  std::string reason;
};

tag_choice pick(const std::string& tag, std::string reason) { return {true, tag, std::move(reason)}; }

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

tag_choice legacy_choice(const taskmaster_options& opt, diagnostic_sink& r) {
  if (!opt.tag.empty() && opt.tag != "master")
    r.warning("", opt.tag, fmt::format("the file has the legacy layout (no tags): tag '{}' "
                                       "does not apply; its tasks are read as master", opt.tag));
  return {true, "master", "legacy layout without tags (read as master)"};
}

tag_choice default_choice(const root_layout& root, diagnostic_sink& r) {
  const auto& tags = root.tags;
  if (root.has("master")) return pick("master", "master, the default tag");
  if (tags.size() == 1) return pick(tags.front(), "the only tag (there is no master)");
  r.warning("", tags.front(), fmt::format("no tag chosen and no master: reading the first tag "
                                          "'{}' of {}", tags.front(), fmt::join(tags, ", ")));
  return pick(tags.front(), "the first tag (there is no master)");
}

tag_choice choose_tag(const root_layout& root, const taskmaster_options& opt,
                      const fs::path& project_root, diagnostic_sink& r) {
  if (root.legacy()) return legacy_choice(opt, r);
  const auto& tags = root.tags;
  if (tags.empty()) {
    r.error("", "", "not a Task Master file: no root \"tasks\" array and no tag holding one");
    return {};
  }
  if (!opt.tag.empty()) {
    if (root.has(opt.tag)) return pick(opt.tag, "the tag asked for");
    r.error("", opt.tag, fmt::format("no tag '{}' in the file; its tags: {}", opt.tag,
                                     fmt::join(tags, ", ")));
    return {};
  }
  if (!project_root.empty()) {
    if (auto t = state_tag(project_root, r)) {
      if (root.has(*t)) return pick(*t, "currentTag of .taskmaster/state.json");
      r.warning("", *t, fmt::format(".taskmaster/state.json names tag '{}', which the file does "
                                    "not have; falling back", *t));
    }
  }
  return default_choice(root, r);
}

// ---------------------------------------------------------------------------------------------
// Tasks and their fields

// The members of a task object cohort reads itself (everything else goes to `task_text::extra`),
// told apart by length first: a task has a dozen members, each looked at once.
enum class member {
  id, title, description, details, test_strategy, priority, status, dependencies, subtasks,
  cohort, duration_ms, argv, other
};

member member_of(std::string_view key) noexcept {
  switch (key.size()) {
    case 2: return key == "id" ? member::id : member::other;
    case 4: return key == "argv" ? member::argv : member::other;
    case 5: return key == "title" ? member::title : member::other;
    case 6: return key == "status" ? member::status : key == "cohort" ? member::cohort : member::other;
    case 7: return key == "details" ? member::details : member::other;
    case 8: return key == "priority" ? member::priority : key == "subtasks" ? member::subtasks : member::other;
    case 11: return key == "description" ? member::description : key == "duration_ms" ? member::duration_ms : member::other;
    case 12: return key == "testStrategy" ? member::test_strategy : key == "dependencies" ? member::dependencies : member::other;
    default: return member::other;
  }
}

// Which of a task's texts the member is, if it is one (the title is read apart).
std::optional<task_text::field> text_field(member m) noexcept {
  switch (m) {
    case member::description: return task_text::field::description;
    case member::details: return task_text::field::details;
    case member::test_strategy: return task_text::field::test_strategy;
    case member::priority: return task_text::field::priority;
    default: return std::nullopt;
  }
}

// Builds the plan from a tag's tasks array, then resolves the dependencies once every id is known.
class builder {
public:
  builder(plan& p, diagnostic_sink& r, broken_edges policy, bool keep_texts)
      : p_(p), r_(r), policy_(policy), keep_texts_(keep_texts) {}

  void resolve() {
    for (const auto& [t, ref] : deps_) resolve_one(t, ref);
  }

  // A parent (an element of the tag's tasks array) and its subtasks. Nothing of `v` is kept.
  void add_parent(const json::value& v, std::size_t position) {
    const auto* o = v.if_object();
    const json::value* raw = o ? o->if_contains("id") : nullptr;
    task t;
    t.id = raw ? id_text(*raw) : std::string();
    if (t.id.empty())
      return r_.error("", raw ? json::serialize(*raw) : std::string(),
                      fmt::format("the task at position {} has no usable id", position));
    p_.prefetch(t.id);  // checked for a duplicate once read
    const json::value* subtasks = read_task(*o, t, false);
    if (!unique(t, [&] { return fmt::format("the task at position {}", position); })) return;
    const std::size_t first_reference = deps_.size();
    const task_index i = p_.add_parent(std::move(t));
    keep_dependencies(i);
    if (const auto* subs = subtasks_of(subtasks, i)) {
      p_.tasks[i].subtasks.reserve(subs->size());  // one allocation, not one per doubling
      for (std::size_t k = 0; k < subs->size(); ++k) add_subtask(i, (*subs)[k], k + 1);
    }
    resolve_found(first_reference);
  }

  const json::array* subtasks_of(const json::value* s, task_index parent) {
    if (!s || s->is_null()) return nullptr;
    if (!s->is_array()) r_.error(p_.tasks[parent].id, json::serialize(*s), "\"subtasks\" is not an array");
    return s->if_array();
  }

  void add_subtask(task_index parent, const json::value& v, std::size_t position) {
    const std::string& pid = p_.tasks[parent].id;  // used only before the subtask is added
    const auto* o = v.if_object();
    const json::value* raw = o ? o->if_contains("id") : nullptr;
    const std::string local = raw ? detail::local_subtask_id(*raw, pid) : std::string();
    if (local.empty())
      return r_.error(pid, raw ? json::serialize(*raw) : std::string(),
                      fmt::format("the subtask at position {} has no usable id", position));
    task t;
    t.id = pid + "." + local;
    p_.prefetch(t.id);  // checked for a duplicate once read
    const std::string written = id_text(*raw);
    if (written.find('.') != std::string::npos && written != t.id)
      r_.warning(t.id, json::serialize(*raw),
                 fmt::format("subtask id {} under task {} is read as {}", written, pid, t.id));
    read_task(*o, t, true);
    if (!unique(t, [&] { return fmt::format("the subtask at position {} of task {}", position, pid); })) return;
    const task_index i = p_.add_subtask(parent, std::move(t));
    keep_dependencies(i);
  }

private:
  // The dependencies of task `i`, resolved once every id is known: copied (the task's text is
  // gone by then), one entry per reference (an id's value allocates nothing unless a long string).
  void keep_dependencies(task_index i) {
    if (!pending_) return;
    for (const json::value& ref : *pending_) deps_.emplace_back(i, json::value(ref, json::storage_ptr()));
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

  // Reads every member of `o` into `t`; returns a parent's `subtasks` member (null: none).
  const json::value* read_task(const json::object& o, task& t, bool is_subtask) {
    pending_ = nullptr;
    extra_.clear();
    texts_ = {};
    const json::value* subtasks = nullptr;
    const json::value* duration_ms = nullptr;
    const json::value* argv = nullptr;
    const json::value* cohort = nullptr;
    for (const auto& kv : o) {
      const json::value& v = kv.value();
      const member m = member_of(kv.key());
      if (m == member::id) continue;
      if (m == member::duration_ms) duration_ms = &v;
      else if (m == member::argv) argv = &v;
      else if (m == member::cohort) cohort = &v;
      else if (m == member::subtasks && !is_subtask) subtasks = &v;
      else if (m == member::status) read_status(v, t);
      else if (m == member::dependencies) read_dependencies(v, t);
      else read_other(kv.key(), m, v, t);
    }
    read_estimates_of(duration_ms, argv, cohort, t);
    task_text::slot(texts_, task_text::field::extra) = extra_;
    // One allocation, from views into `o` and `extra_`.
    if (auto text = task_text::make(texts_)) t.text = std::move(*text);
    else r_.error(t.id, "", "a text of 4 GiB or more: the task's texts are not kept");
    return subtasks;
  }

  void read_other(std::string_view key, member m, const json::value& v, task& t) {
    const auto field = text_field(m);
    const bool text = field || m == member::title;
    if (text && v.is_string()) {  // a later duplicate wins
      if (!field) t.title = v.get_string();
      else if (keep_texts_ || field == task_text::field::priority) task_text::slot(texts_, *field) = v.get_string();
    } else if (!text || !v.is_null()) {
      if (m == member::subtasks && v.is_array() && !v.get_array().empty())
        r_.warning(t.id, "subtasks", "nested subtasks are kept in the file but not scheduled");
      // Unknown, or a known field of a kind cohort does not model.
      if (keep_texts_) detail::append_member(extra_, key, v);
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
  void read_estimates_of(const json::value* duration_ms, const json::value* argv, const json::value* cohort,
                         task& t) {
    std::vector<std::string> problems;
    if (duration_ms) detail::read_estimate("duration_ms", *duration_ms, t, problems);
    if (argv) detail::read_estimate("argv", *argv, t, problems);
    if (cohort) {
      if (cohort->is_object()) detail::read_estimates(cohort->get_object(), t, problems);
      else problems.push_back("\"cohort\" is not an object: " + json::serialize(*cohort));
    }
    for (auto& p : problems) r_.error(t.id, "", std::move(p));
  }

  // The references kept from `first` on (a parent's and its subtasks'), resolved at once where
  // each of a task's references names a task already read, as it will at the end (an id, once
  // indexed, keeps its task): while the parent's tasks are still in the cache. A task with any
  // other reference (a later task, a missing one, itself, a warning to give) keeps them all for
  // the end, in file order.
  void resolve_found(std::size_t first) {
    std::size_t kept = first;
    for (std::size_t i = first; i < deps_.size();) {
      const task_index t = deps_[i].first;
      std::size_t end = i;
      while (end < deps_.size() && deps_[end].first == t) ++end;
      found_.clear();
      for (std::size_t k = i; k < end; ++k) {
        const auto target = found(t, deps_[k].second);
        if (!target || *target == t) break;
        found_.push_back(*target);
      }
      if (found_.size() == end - i) {
        p_.tasks[t].dependencies.reserve(found_.size());
        for (task_index d : found_) p_.add_dependency(t, d);
      } else {
        for (std::size_t k = i; k < end; ++k) deps_[kept++] = std::move(deps_[k]);
      }
      i = end;
    }
    deps_.resize(kept);
  }

  // What `lookup` finds without a warning.
  std::optional<task_index> found(task_index t, const json::value& ref) {
    const std::string text = id_text(ref);
    return text.empty() ? std::nullopt : first_reading(t, ref, text);
  }

  void resolve_one(task_index t, const json::value& ref) {
    const std::string text = id_text(ref);
    const auto target = text.empty() ? std::nullopt : lookup(t, ref, text);
    if (target && *target != t) return p_.add_dependency(t, *target);
    const std::string shown = json::serialize(ref);  // only for the message of a broken one
    if (text.empty()) return broken(t, shown, fmt::format("invalid dependency {}: not an id", shown));
    if (!target) return broken(t, shown, missing_message(t, ref, text, shown));
    broken(t, shown, fmt::format("depends on itself ({})", shown));
  }

  // A subtask's dependency is a full id when it is a dotted string or a float (rule 2).
  static bool is_full_id_form(const json::value& ref, const std::string& text) {
    return ref.is_double() || (ref.is_string() && text.find('.') != std::string::npos);
  }

  // The task a reference names by rules 1 and 2: itself, or a subtask's sibling.
  std::optional<task_index> first_reading(task_index t, const json::value& ref, const std::string& text) {
    const task& k = p_.tasks[t];
    if (k.is_parent() || is_full_id_form(ref, text)) return p_.find(text);
    return p_.find(p_.tasks[*k.parent].id + "." + text);
  }

  std::optional<task_index> lookup(task_index t, const json::value& ref, const std::string& text) {
    if (auto first = first_reading(t, ref, text)) return first;
    const task& k = p_.tasks[t];
    if (k.is_parent() || is_full_id_form(ref, text)) return std::nullopt;
    const auto top = p_.find(text);  // rule 3
    if (!top || !p_.tasks[*top].is_parent()) return std::nullopt;
    r_.warning(k.id, json::serialize(ref),
               fmt::format("dependency {} has no sibling {}.{}: read as task {} (Task Master's "
                           "`next` reads the sibling and would never start {})",
                           json::serialize(ref), p_.tasks[*k.parent].id, text, text, k.id));
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
  bool keep_texts_;
  const json::array* pending_ = nullptr;  // the dependencies of the task being read
  std::vector<std::pair<task_index, json::value>> deps_;  // not resolved yet, in file order
  std::vector<task_index> found_;
  std::string extra_;  // the task's kept fields, written here first (its capacity is reused)
  task_text::texts texts_{};  // the task's texts as read, views into its object (set once, at its end)
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

// The file's text, read as it comes in pieces: every tasks array at the root (legacy) or in a
// tag object is built into a plan of its own, one task at a time (the document itself is never
// held: a plan of a million tasks is a 350 MB file); the tag is chosen at the end, as Task
// Master chooses it, and only its plan is kept.
class streaming_load {
public:
  streaming_load(const taskmaster_options& opt, std::string file, fs::path project_root)
      : opt_(opt), file_(std::move(file)), project_root_(std::move(project_root)),
        stream_([this](const detail::json_element_stream::path& p) { return wants(p); },
                [this](const detail::json_element_stream::path& p, std::size_t position, const json::value& v) {
                  each(p, position, v);
                }) {}

  bool write(std::string_view piece) {
    if (current_) size_id_index(*current_);
    piece_start_ = fed_;
    fed_ += piece.size();
    return stream_.write(piece);
  }
  /// Makes room for the tasks a text of `bytes` may hold (a guess: room unused is address space,
  /// not memory; a plan that outgrows it grows as usual), and keeps the size for the id index.
  void expect(std::size_t bytes) {
    file_bytes_ = bytes;
    expected_tasks_ = bytes / 256;
  }

  loaded_plan finish() {
    loaded_plan out;
    diagnostic_sink r{out.diagnostics, {}};
    r.context.file = file_;
    if (!stream_.finish()) return r.syntax_error(stream_.error(), "JSON syntax error"), out;
    if (!stream_.root_is_object()) return r.error("", "", "not a Task Master file: not a JSON object"), out;
    const tag_choice c = choose_tag(layout_, opt_, project_root_, r);
    if (!c.chosen) return out;
    candidate& chosen = layout_.legacy() ? *legacy_ : *tags_.at(c.tag);
    chosen.builder.resolve();
    out.plan = std::move(chosen.plan);
    out.plan.source = file_;
    out.plan.tag = c.tag;
    out.tag_reason = c.reason;
    r.context.tag = c.tag;
    for (auto& d : chosen.diagnostics) out.diagnostics.push_back(std::move(d));
    if (!opt_.sidecar.empty()) apply_sidecar(out.plan, opt_.sidecar, r);
    break_cycles(out.plan, opt_.on_broken, r.context, out.diagnostics);
    return out;
  }

private:
  // One tasks array being built: its own plan and diagnostics (the tag's, if it is chosen).
  struct candidate {
    explicit candidate(const std::string& file, const std::string& tag, const taskmaster_options& opt)
        : sink{diagnostics, {}}, builder(plan, sink, opt.on_broken, opt.keep_texts) {
      sink.context.file = file;
      sink.context.tag = tag;
    }
    cohort::plan plan;
    std::vector<diagnostic> diagnostics;
    diagnostic_sink sink;
    class builder builder;
    std::size_t opened_at = 0;  // where the piece of the text that opened its array began
  };

  // The id index, unlike the task array, is memory once made (zeroed slots): it is sized once a
  // megabyte of the array is read (between two pieces, where every byte fed is read), for the
  // tasks the rest of the file holds at the rate so far, and a sixteenth more, but never for
  // more than the first guess (a file of tiny tasks first and one long text after must not
  // make a huge index). A Task Master task with its texts is 1-2 KB, several times the guess;
  // a smaller file's index, or a denser one's past the guess, grows as the tasks come.
  void size_id_index(candidate& c) {
    constexpr std::size_t sample = std::size_t(1) << 20;
    const std::size_t read = fed_ - c.opened_at;
    if (read < sample || file_bytes_ <= fed_) return;
    current_ = nullptr;  // sized once
    const std::size_t tasks = c.plan.size() * (file_bytes_ - c.opened_at) / read;
    c.plan.reserve(std::min(tasks + tasks / 16, expected_tasks_));
  }

  bool wants(const detail::json_element_stream::path& p) {
    // A member repeated in an object: the last one is the one a parser keeps.
    if (p.size() == 1 && p[0] == "tasks") {
      layout_.tasks_array = true;
      legacy_ = std::make_unique<candidate>(file_, "master", opt_);
      opened(*legacy_);
      return true;
    }
    if (p.size() == 2 && p[1] == "tasks") {
      if (!layout_.has(p[0])) layout_.tags.push_back(p[0]);
      // Only the tag asked for is built when one is (the others are only named).
      if (!opt_.tag.empty() && p[0] != opt_.tag) return false;
      auto& c = tags_[p[0]] = std::make_unique<candidate>(file_, p[0], opt_);
      opened(*c);
      return true;
    }
    return false;
  }

  void opened(candidate& c) {
    c.plan.tasks.reserve(expected_tasks_);
    c.opened_at = piece_start_;
    current_ = &c;
  }

  void each(const detail::json_element_stream::path& p, std::size_t position, const json::value& v) {
    candidate* c = nullptr;
    if (p.size() == 1) {
      c = legacy_.get();
    } else if (auto it = tags_.find(p[0]); it != tags_.end()) {
      c = it->second.get();
    }
    if (c) c->builder.add_parent(v, position + 1);
  }

  const taskmaster_options& opt_;
  std::string file_;
  fs::path project_root_;
  root_layout layout_;
  std::unique_ptr<candidate> legacy_;
  std::map<std::string, std::unique_ptr<candidate>> tags_;
  std::size_t expected_tasks_ = 0;
  std::size_t file_bytes_ = 0;  // 0: not known
  std::size_t fed_ = 0;         // bytes written so far
  std::size_t piece_start_ = 0;  // of the piece being read
  candidate* current_ = nullptr;  // the last array opened, until its id index is sized
  detail::json_element_stream stream_;
};

} // namespace

loaded_plan parse_taskmaster(std::string_view text, const taskmaster_options& options) {
  streaming_load load(options, options.file_name, options.project_root);
  load.write(text);
  return load.finish();
}

loaded_plan read_taskmaster(const fs::path& file, const taskmaster_options& options) {
  const fs::path root = options.project_root.empty() ? project_root_of(file) : options.project_root;
  streaming_load load(options, file.string(), root);
  std::error_code size_error;
  if (const auto bytes = fs::file_size(file, size_error); !size_error) load.expect(static_cast<std::size_t>(bytes));
  error_code ec;
  detail::read_file_pieces(file, [&load](std::string_view piece) { return load.write(piece); }, ec);
  if (ec) {
    loaded_plan out;
    diagnostic d;
    d.file = file.string();
    d.message = "cannot read the file: " + ec.message();
    out.diagnostics.push_back(std::move(d));
    return out;
  }
  return load.finish();
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
