// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/plan/plan_json.hpp>

#include "plan/estimates.hpp"
#include "common/json_text.hpp"
#include "plan/diagnostic_sink.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fmt/format.h>

#include <utility>

namespace cohort {
namespace {
namespace json = boost::json;
namespace fs = std::filesystem;

constexpr std::int64_t format_version = 1;

void put_text(json::object& o, std::string_view key, std::string_view s) {
  if (!s.empty()) o.emplace(key, s);
}

template <class Words>
void put_strings(json::object& o, std::string_view key, const Words& v) {
  if (v.empty()) return;
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  o.emplace(key, std::move(a));
}

// `t.text.extra()` as an object; text that is not one is the caller's error (loaders write only objects).
json::object parse_extra(const task& t) {
  error_code ec;
  json::value v = json::parse(t.text.extra(), ec);
  if (ec || !v.is_object()) {
    throw system_error(make_error_code(errc::invalid_argument),
                       fmt::format("task {}: extra is not the text of a JSON object", t.id));
  }
  return std::move(v.get_object());
}

json::object task_json(const plan& p, const task& t) {
  json::object o;
  o.emplace("id", t.id);
  put_text(o, "title", t.title);
  put_text(o, "description", t.text.description());
  put_text(o, "details", t.text.details());
  put_text(o, "test_strategy", t.text.test_strategy());
  o.emplace("status", to_string(t.status));
  put_text(o, "priority", t.text.priority());
  std::vector<std::string> deps;
  for (auto d : t.dependencies) deps.push_back(p.tasks[d].id);
  put_strings(o, "dependencies", deps);
  if (t.duration) o.emplace("duration_ms", t.duration->count());
  if (t.tokens) o.emplace("tokens", *t.tokens);
  put_strings(o, "owns", t.owns);
  put_strings(o, "argv", t.argv);
  if (!t.env->empty()) {
    json::object env;
    for (const auto& [name, value] : *t.env) env.emplace(name, value);
    o.emplace("env", std::move(env));
  }
  if (!t.slurm->empty()) {
    json::object slurm;
    for (const auto& [name, value] : *t.slurm) slurm.emplace(name, value);
    o.emplace("slurm", std::move(slurm));
  }
  if (!t.text.extra().empty()) o.emplace("extra", parse_extra(t));
  return o;
}

// Reads one task object (a parent when `parent` is empty) into the plan.
class reader {
public:
  reader(plan& p, std::vector<diagnostic>& out, diagnostic context, broken_edges policy)
      : p_(p), report_{out, std::move(context)}, policy_(policy) {}

  void add(const json::value& v, std::optional<task_index> parent, std::size_t position) {
    const auto* o = v.if_object();
    const auto* id = o ? o->if_contains("id") : nullptr;
    if (!id || !id->is_string() || id->get_string().empty())
      return report(severity::error, "", "", fmt::format("the task at position {} has no string id", position));
    task t;
    t.id = std::string(id->get_string());
    if (parent && t.id.rfind(p_.tasks[*parent].id + ".", 0) != 0) t.id = p_.tasks[*parent].id + "." + t.id;
    read_members(*o, t);
    if (p_.find(t.id)) return report(severity::error, t.id, t.id, "duplicate id " + t.id);
    const task_index i = parent ? p_.add_subtask(*parent, std::move(t)) : p_.add_parent(std::move(t));
    if (const auto* d = o->if_contains("dependencies")) deps_.emplace_back(i, d);
    const auto* subs = o->if_contains("subtasks");
    if (!parent && subs && subs->is_array())
      for (std::size_t k = 0; k < subs->get_array().size(); ++k) add(subs->get_array()[k], i, k + 1);
  }

  void resolve() {
    for (const auto& [t, v] : deps_) {
      const auto* a = v->if_array();
      if (!a) {
        report(severity::error, p_.tasks[t].id, json::serialize(*v), "\"dependencies\" is not an array");
        continue;
      }
      for (const auto& ref : *a) resolve_one(t, ref);
    }
  }

private:
  void read_members(const json::object& o, task& t) {
    std::vector<std::string> problems;
    detail::read_estimates(o, t, problems);
    task_text::texts texts{};
    auto text = [&](task_text::field f) -> std::string_view& { return task_text::slot(texts, f); };
    std::string extra;
    for (const auto& kv : o) {
      const std::string_view k = kv.key();
      const json::value& v = kv.value();
      if (k == "title" && v.is_string()) t.title = v.get_string();
      else if (k == "description" && v.is_string()) text(task_text::field::description) = v.get_string();
      else if (k == "details" && v.is_string()) text(task_text::field::details) = v.get_string();
      else if (k == "test_strategy" && v.is_string()) text(task_text::field::test_strategy) = v.get_string();
      else if (k == "priority" && v.is_string()) text(task_text::field::priority) = v.get_string();
      else if (k == "status") read_status(v, t);
      else if (k == "extra" && v.is_object()) extra = v.get_object().empty() ? std::string() : json::serialize(v);
      else if (k != "id" && k != "dependencies" && k != "subtasks" && !detail::is_estimate_key(k))
        report(severity::warning, t.id, std::string(k), fmt::format("unknown member \"{}\" ignored", k));
    }
    text(task_text::field::extra) = extra;
    if (auto made = task_text::make(texts)) t.text = std::move(*made);
    else report(severity::error, t.id, "", "a text of 4 GiB or more: the task's texts are not kept");
    for (auto& m : problems) report(severity::error, t.id, "", std::move(m));
  }

  void read_status(const json::value& v, task& t) {
    const auto s = v.is_string() ? parse_task_status(v.get_string()) : std::nullopt;
    if (s) t.status = *s;
    else report(severity::error, t.id, json::serialize(v), "unknown status " + json::serialize(v));
  }

  void resolve_one(task_index t, const json::value& ref) {
    const std::string shown = json::serialize(ref);
    const auto target = ref.is_string() ? p_.find(ref.get_string()) : std::nullopt;
    if (!target) return broken(t, shown, "missing dependency " + shown);
    if (*target == t) return broken(t, shown, "depends on itself");
    p_.add_dependency(t, *target);
  }

  void broken(task_index t, const std::string& ref, std::string message) {
    const bool warn = is_finished(p_.tasks[t].status) || policy_ == broken_edges::drop;
    report(warn ? severity::warning : severity::error, p_.tasks[t].id, ref,
           warn ? message + " (dropped)" : std::move(message));
  }

  void report(severity s, std::string task, std::string ref, std::string message) {
    report_.add(s, std::move(task), std::move(ref), std::move(message));
  }

  plan& p_;
  detail::diagnostic_sink report_;
  broken_edges policy_;
  std::vector<std::pair<task_index, const json::value*>> deps_;
};

diagnostic file_problem(std::string file, std::string message) {
  diagnostic d;
  d.file = std::move(file);
  d.message = std::move(message);
  return d;
}

} // namespace

json::value to_json(const plan& p) {
  json::array tasks;
  for (task_index i : p.parents) {
    json::object o = task_json(p, p.tasks[i]);
    json::array subs;
    for (task_index s : p.tasks[i].subtasks) subs.emplace_back(task_json(p, p.tasks[s]));
    if (!subs.empty()) o.emplace("subtasks", std::move(subs));
    tasks.emplace_back(std::move(o));
  }
  json::object root;
  root.emplace("cohort_plan", format_version);
  if (!p.source.empty()) root.emplace("source", p.source);
  if (!p.tag.empty()) root.emplace("tag", p.tag);
  root.emplace("tasks", std::move(tasks));
  return root;
}

json::object to_json(const plan& p, task_index t) { return task_json(p, p.tasks.at(t)); }

std::string format_plan(const plan& p) { return detail::format_json(to_json(p)) + "\n"; }

loaded_plan parse_plan(std::string_view text, broken_edges on_broken, std::string file_name) {
  loaded_plan out;
  detail::json_error err;
  const json::value v = detail::parse_json(text, err);
  diagnostic context = file_problem(file_name, {});
  if (err.ec) {
    context.line = err.line;
    context.column = err.column;
    context.message = "JSON syntax error: " + err.what;
    return out.diagnostics.push_back(std::move(context)), out;
  }
  const auto* root = v.if_object();
  const auto* version = root ? root->if_contains("cohort_plan") : nullptr;
  const auto* tasks = root ? root->if_contains("tasks") : nullptr;
  if (!version || !version->is_int64() || version->get_int64() != format_version || !tasks || !tasks->is_array())
    return out.diagnostics.push_back(file_problem(file_name,
               "not a cohort plan: expected {\"cohort_plan\": 1, \"tasks\": [...]}")), out;
  if (const auto* s = root->if_contains("source"); s && s->is_string()) out.plan.source = s->get_string();
  if (const auto* t = root->if_contains("tag"); t && t->is_string()) out.plan.tag = t->get_string();
  context.tag = out.plan.tag;
  reader r(out.plan, out.diagnostics, context, on_broken);
  for (std::size_t i = 0; i < tasks->get_array().size(); ++i) r.add(tasks->get_array()[i], std::nullopt, i + 1);
  r.resolve();
  break_cycles(out.plan, on_broken, context, out.diagnostics);
  return out;
}

loaded_plan read_plan(const fs::path& file, broken_edges on_broken) {
  std::string text;
  error_code ec;
  detail::read_file(file, text, ec);
  if (!ec) return parse_plan(text, on_broken, file.string());
  loaded_plan out;
  out.diagnostics.push_back(file_problem(file.string(), "cannot read the file: " + ec.message()));
  return out;
}

plan load_plan(const fs::path& file) {
  loaded_plan l = read_plan(file);
  throw_if_errors(l.diagnostics);
  return std::move(l.plan);
}

plan load_plan(const fs::path& file, error_code& ec) {
  loaded_plan l = read_plan(file);
  ec = l.ok() ? error_code() : error_code(errc::plan_invalid);
  return l.ok() ? std::move(l.plan) : plan();
}

void save_plan(const plan& p, const fs::path& file) {
  error_code ec;
  save_plan(p, file, ec);
  if (ec) throw system_error(ec, "save_plan: " + file.string());
}

void save_plan(const plan& p, const fs::path& file, error_code& ec) {
  detail::write_file_atomic(file, format_plan(p), ec);
}

} // namespace cohort
