// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/view/render.hpp>

#include <cohort/view/terminal_text.hpp>

#include "common/text_width.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <fmt/format.h>

#include <chrono>
#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

namespace cohort {

using std::chrono::milliseconds;
namespace {

namespace json = boost::json;
using cells = std::vector<std::string>;  // one row of a table

std::string rule(const std::vector<std::size_t>& w, std::string_view l, std::string_view m,
                 std::string_view r) {
  std::string out(l);
  for (std::size_t i = 0; i < w.size(); ++i) {
    for (std::size_t k = 0; k < w[i] + 2; ++k) out += "─";
    out += i + 1 < w.size() ? m : r;
  }
  return out + "\n";
}

// Appends one row (no string made per cell: a million-task plan's tables have 10 MB of them).
void append_line(std::string& out, const std::vector<std::size_t>& w, const cells& row) {
  out += "│";
  for (std::size_t i = 0; i < w.size(); ++i) {
    const std::size_t pad = w[i] - detail::display_width(row[i]);
    out += ' ';
    if (i != 0) out.append(pad, ' ');  // numbers right
    out += row[i];
    if (i == 0) out.append(pad, ' ');
    out += " │";
  }
  out += '\n';
}

// A box-drawn table like the research note's; the first column left-aligned, the rest right.
// Every cell goes through terminal_safe: ids, titles and globs are the plan's text.
std::string table(const std::string& title, const cells& header, std::vector<cells> rows) {
  if (rows.empty()) return title + ": none\n\n";
  for (cells& r : rows) {
    for (auto& cell : r) cell = terminal_safe(cell);
  }
  std::vector<std::size_t> w(header.size(), 0);
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = detail::display_width(header[i]);
  for (const cells& r : rows) {
    for (std::size_t i = 0; i < w.size(); ++i) w[i] = std::max(w[i], detail::display_width(r[i]));
  }
  std::string out = title + "\n" + rule(w, "┌", "┬", "┐");
  append_line(out, w, header);
  out += rule(w, "├", "┼", "┤");
  for (const cells& r : rows) append_line(out, w, r);
  return out + rule(w, "└", "┴", "┘") + "\n";
}

std::string ids(const plan& p, const std::vector<task_index>& ts, std::string_view sep = ", ") {
  std::string out;
  for (task_index t : ts) {
    if (!out.empty()) out += sep;
    out += terminal_safe(p.tasks[t].id);
  }
  return out.empty() ? "-" : out;
}

std::string speedup(milliseconds base, milliseconds d) {
  return d.count() ? fmt::format("{:.1f}x", double(base.count()) / double(d.count())) : "-";
}

std::string projections_table(const plan_analysis& r) {
  const auto& pr = r.projected;
  std::vector<cells> rows{
      {"sequential (one job at a time)", format_duration(pr.sequential), "1.0x"},
      {"waves only (parents one after another)", format_duration(pr.waves_only), speedup(pr.sequential, pr.waves_only)},
      {"hierarchical (parents in parallel, waves)", format_duration(pr.hierarchical), speedup(pr.sequential, pr.hierarchical)},
      {"critical path (no waves, no cap)", format_duration(pr.critical_path), speedup(pr.sequential, pr.critical_path)}};
  if (r.simulated) {
    const auto& o = *r.simulated_with;
    rows.push_back({fmt::format("simulated: K={}, {}{}", o.max_running,
                                o.mode == wave_mode::waves ? "waves" : "rolling",
                                o.token_budget ? fmt::format(", budget {}", o.token_budget) : ""),
                    format_duration(r.simulated->makespan),
                    // Unfinished jobs: a time of part of the plan has no speedup to show.
                    r.simulated->unfinished ? "-" : speedup(pr.sequential, r.simulated->makespan)});
  }
  std::string out = table("Projections", {"strategy", "time", "speedup"}, rows);
  if (r.simulated && r.simulated->unfinished > 0) {  // the time above is then only of what ran
    out += fmt::format("The simulated run leaves {} job{} unfinished{}.\n\n", r.simulated->unfinished,
                       r.simulated->unfinished == 1 ? "" : "s",
                       r.simulated->budget_exhausted ? ": the token budget is spent before they start" : "");
  }
  return out;
}

std::string groups_table(const plan& p, const plan_analysis& r) {
  std::vector<cells> rows;
  std::size_t siblings = 0;
  for (const auto& g : r.groups) {
    if (!p.tasks[g.tasks.front()].is_parent()) {
      ++siblings;
      continue;
    }
    rows.push_back({ids(p, g.dependencies), ids(p, g.tasks), std::to_string(g.tasks.size())});
  }
  return table(fmt::format("Parallel groups (parents sharing their dependencies; {} more among "
                           "siblings)", siblings),
               {"shared dependencies", "parents", "n"}, std::move(rows));
}

std::string layers_table(const plan& p, const plan_analysis& r) {
  std::vector<cells> rows;
  for (std::size_t i = 0; i < r.layers.parents.size(); ++i) {
    const auto& l = r.layers.parents[i];
    rows.push_back({std::to_string(i), ids(p, l), std::to_string(l.size())});
  }
  return table("Parent layers (parents on one layer are never ordered)", {"layer", "parents", "n"}, std::move(rows));
}

std::string slack_table(const plan& p, const plan_analysis& r) {
  std::vector<cells> rows;
  std::vector<bool> critical(p.size());  // a look-up for each of a million subtasks: no tree
  for (task_index t : r.schedule.critical_path) critical[t] = true;
  for (task_index q : p.parents) {
    const auto& t = r.schedule.tasks[q];
    if (is_finished(p.tasks[q].status)) continue;
    const bool on = critical[q] || std::any_of(p.tasks[q].subtasks.begin(), p.tasks[q].subtasks.end(),
                                               [&](task_index s) { return critical[s]; });
    rows.push_back({p.tasks[q].id, format_duration(t.earliest_start), format_duration(t.earliest_finish),
                    format_duration(t.latest_start), format_duration(t.slack()), on ? "yes" : ""});
  }
  return fmt::format("Critical path: {} ({})\n\n", ids(p, r.schedule.critical_path, " -> "),
                     format_duration(r.schedule.length)) +
         table("Slack per parent (no cap, no waves)",
               {"parent", "earliest start", "earliest finish", "latest start", "slack", "critical"}, std::move(rows));
}

std::string budget_table(const plan& p, const plan_analysis& r) {
  std::vector<cells> rows;
  std::uint64_t size = 0, given = 0;
  for (const auto& s : r.budget) {
    rows.push_back({p.tasks[s.parent].id, std::to_string(s.size), std::to_string(s.tokens)});
    size += s.size, given += s.tokens;
  }
  rows.push_back({"total", std::to_string(size), std::to_string(given)});
  return table("Token budget split (proportional to estimated tokens)", {"parent", "estimated", "share"}, std::move(rows));
}

std::string conflicts_table(const plan& p, const plan_analysis& r) {
  if (r.conflicts.empty()) return "Ownership conflicts: none\n";
  std::vector<cells> rows;
  for (const auto& c : r.conflicts) {
    rows.push_back({p.tasks[c.first].id + " / " + p.tasks[c.second].id,
                    c.first_glob + "  ~  " + c.second_glob, c.example});
  }
  return table("Ownership conflicts (unordered tasks whose globs overlap)", {"tasks", "globs", "e.g."}, std::move(rows));
}

json::array id_array(const plan& p, const std::vector<task_index>& ts) {
  json::array a;
  for (task_index t : ts) a.emplace_back(p.tasks[t].id);
  return a;
}

json::object projections_json(const plan_analysis& r) {
  const auto& pr = r.projected;
  return {{"sequential_ms", pr.sequential.count()}, {"waves_only_ms", pr.waves_only.count()},
          {"hierarchical_ms", pr.hierarchical.count()}, {"critical_path_ms", pr.critical_path.count()},
          {"tokens", pr.tokens}};
}

json::object simulation_json(const plan_analysis& r) {
  const auto& s = *r.simulated;
  const auto& o = *r.simulated_with;
  return {{"max_running", o.max_running}, {"max_per_parent", o.max_per_parent},
          {"token_budget", o.token_budget}, {"launch_interval_ms", o.launch_interval.count()},
          {"parent_stagger_ms", o.parent_stagger.count()},
          {"mode", o.mode == wave_mode::waves ? "waves" : "rolling"},
          {"order", o.order == ready_order::fifo ? "fifo" : "longest_path"},
          {"makespan_ms", s.makespan.count()}, {"peak_running", s.peak_running},
          {"peak_reserved_tokens", s.peak_reserved}, {"spent_tokens", s.spent},
          {"launches", s.launches}, {"unfinished", s.unfinished}};
}

json::array tasks_json(const plan& p, const plan_analysis& r) {
  json::array a;
  for (task_index t = 0; t < p.size(); ++t) {
    const auto& x = r.schedule.tasks[t];
    json::object o{{"id", p.tasks[t].id}, {"wave", r.waves[t]},
                   {"earliest_start_ms", x.earliest_start.count()}, {"latest_start_ms", x.latest_start.count()},
                   {"slack_ms", x.slack().count()}};
    if (r.simulated && r.simulated->tasks[t].start) {
      o["simulated_start_ms"] = r.simulated->tasks[t].start->count();
    }
    a.push_back(std::move(o));
  }
  return a;
}

// `s` inside a quoted label: a quote as `quote_as`; for DOT (`quote_as` is `\"`) a backslash
// doubled, so that none can escape the closing quote.
std::string quoted(std::string_view s, std::string_view quote_as) {
  const bool dot = quote_as == "\\\"";
  std::string out;
  for (char c : s) {
    if (c == '"') out += quote_as;
    else if (c == '\\' && dot) out += "\\\\";
    else out += c;
  }
  return out;
}

std::string label(const plan& p, task_index t) {
  const auto& x = p.tasks[t];
  std::string text = terminal_safe(x.id);
  if (!x.title.empty()) {
    text += ' ';
    text += terminal_safe(x.title);
  }
  if (x.is_job() && x.duration) text += " (" + format_duration(*x.duration) + ")";
  return text;
}

// The subtasks of `q` by wave.
std::map<std::size_t, std::vector<task_index>> by_wave(const plan& p, const plan_analysis& r, task_index q) {
  std::map<std::size_t, std::vector<task_index>> out;
  for (task_index s : p.tasks[q].subtasks) out[r.waves[s]].push_back(s);
  return out;
}

} // namespace

std::string format_duration(milliseconds d) {
  const auto n = d.count();
  if (n < 1000) return fmt::format("{} ms", n);
  if (n < 60'000) return fmt::format("{:.1f} s", double(n) / 1000);
  if (n % 60'000 == 0) return fmt::format("{} min", n / 60'000);
  return fmt::format("{:.1f} min", double(n) / 60'000);
}

std::string render_text(const plan& p, const plan_analysis& r) {
  std::string out = projections_table(r) + groups_table(p, r) + layers_table(p, r) + slack_table(p, r);
  if (!r.budget.empty()) out += budget_table(p, r);
  return out + conflicts_table(p, r);
}

json::value render_json(const plan& p, const plan_analysis& r) {
  json::object o{{"projections", projections_json(r)},
                 {"critical_path", id_array(p, r.schedule.critical_path)},
                 {"critical_path_ms", r.schedule.length.count()}};
  json::array groups, layers, budget, conflicts;
  for (const auto& g : r.groups) {
    groups.push_back(json::object{{"dependencies", id_array(p, g.dependencies)}, {"tasks", id_array(p, g.tasks)}});
  }
  for (const auto& l : r.layers.parents) layers.push_back(id_array(p, l));
  for (const auto& s : r.budget) {
    budget.push_back(json::object{{"parent", p.tasks[s.parent].id}, {"size", s.size}, {"tokens", s.tokens}});
  }
  for (const auto& c : r.conflicts) {
    conflicts.push_back(json::object{{"first", p.tasks[c.first].id}, {"second", p.tasks[c.second].id},
                                     {"first_glob", c.first_glob}, {"second_glob", c.second_glob},
                                     {"example", c.example}});
  }
  o["parallel_groups"] = std::move(groups);
  o["parent_layers"] = std::move(layers);
  o["budget"] = std::move(budget);
  o["ownership_conflicts"] = std::move(conflicts);
  o["tasks"] = tasks_json(p, r);
  if (r.simulated) o["simulation"] = simulation_json(r);
  return o;
}

std::string render_dot(const plan& p, const plan_analysis& r) {
  const std::set<task_index> critical(r.schedule.critical_path.begin(), r.schedule.critical_path.end());
  std::string out = "digraph plan {\n  rankdir=LR;\n  compound=true;\n  node [shape=box, style=rounded];\n";
  auto node = [&](task_index t, std::string_view indent) {
    out += fmt::format("{}t{} [label=\"{}\"{}];\n", indent, t, quoted(label(p, t), "\\\""),
                       critical.count(t) ? ", color=red, penwidth=2" : "");
  };
  for (task_index q : p.parents) {
    if (p.tasks[q].subtasks.empty()) {
      node(q, "  ");
      continue;
    }
    out += fmt::format("  subgraph cluster_{} {{\n    label=\"{}\";\n", q, quoted(label(p, q), "\\\""));
    for (const auto& [w, subs] : by_wave(p, r, q)) {
      out += fmt::format("    subgraph cluster_{}_w{} {{\n      label=\"wave {}\"; style=dashed;\n", q, w, w);
      for (task_index s : subs) node(s, "      ");
      out += "    }\n";
    }
    out += "  }\n";
  }
  // An edge to or from a parent with subtasks is drawn to its first subtask, clipped at its cluster.
  auto end = [&](task_index t, std::string_view attr) {
    const auto& subs = p.tasks[t].subtasks;
    if (subs.empty()) return std::pair{t, std::string()};
    return std::pair{subs.front(), fmt::format("{}=cluster_{}", attr, t)};
  };
  for (task_index t = 0; t < p.size(); ++t) {
    for (task_index d : p.tasks[t].dependencies) {
      const auto [from, tail] = end(d, "ltail");
      const auto [to, head] = end(t, "lhead");
      std::string attrs = tail + (tail.empty() || head.empty() ? "" : ", ") + head;
      if (critical.count(d) && critical.count(t)) attrs += std::string(attrs.empty() ? "" : ", ") + "color=red, penwidth=2";
      out += fmt::format("  t{} -> t{}{};\n", from, to, attrs.empty() ? "" : " [" + attrs + "]");
    }
  }
  return out + "}\n";
}

std::string render_mermaid(const plan& p, const plan_analysis& r) {
  std::string out = "flowchart LR\n";
  auto name = [&](task_index t) { return fmt::format("{}{}", p.tasks[t].subtasks.empty() ? 't' : 'p', t); };
  for (task_index q : p.parents) {
    if (p.tasks[q].subtasks.empty()) {
      out += fmt::format("  t{}[\"{}\"]\n", q, quoted(label(p, q), "#quot;"));
      continue;
    }
    out += fmt::format("  subgraph p{}[\"{}\"]\n    direction TB\n", q, quoted(label(p, q), "#quot;"));
    for (const auto& [w, subs] : by_wave(p, r, q)) {
      out += fmt::format("    subgraph p{}w{}[\"wave {}\"]\n", q, w, w);
      for (task_index s : subs) out += fmt::format("      t{}[\"{}\"]\n", s, quoted(label(p, s), "#quot;"));
      out += "    end\n";
    }
    out += "  end\n";
  }
  for (task_index t = 0; t < p.size(); ++t) {
    for (task_index d : p.tasks[t].dependencies) out += fmt::format("  {} --> {}\n", name(d), name(t));
  }
  out += "  classDef critical fill:#fdd,stroke:#c00,stroke-width:2px\n";
  if (!r.schedule.critical_path.empty()) {
    std::string list;
    for (task_index t : r.schedule.critical_path) list += fmt::format("{}t{}", list.empty() ? "" : ",", t);
    out += "  class " + list + " critical\n";
  }
  return out;
}

} // namespace cohort
