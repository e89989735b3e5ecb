// The YAML configuration loader (spec §5).
//
// Parses one file, validates every section and every cross-reference, and returns either a
// Config (indexed, ready for the engine) or the list of every problem found, each as
// "file:line: key: problem" (one run reports all of them; the CLI exits 2).
#pragma once

#include <string>
#include <vector>

#include "ocop/config.hpp"
#include "ocop/migration.hpp"

namespace ocop::config {

struct Problem {
  std::string file;
  int line = 0;     // 1-based; 0 when the problem is about the file as a whole
  std::string key;  // dotted path, e.g. "rule_sets[1].levels[0].quorum"
  std::string message;
  std::string to_string() const;  // "file:line: key: message"
};

struct LoadResult {
  Config config;
  std::vector<Problem> problems;  // empty = valid
  bool ok() const { return problems.empty(); }
};

// Reads and validates `path`. Never throws for bad content; I/O failure is a Problem too.
LoadResult load_file(const std::string& path);
// Same for text already in memory; `name` is used in messages.
LoadResult load_string(const std::string& text, const std::string& name);

struct PlanLoadResult {
  MigrationPlan plan;
  std::vector<Problem> problems;  // empty = well-formed (the Migrator checks it against a Config)
  bool ok() const { return problems.empty(); }
};

// Reads a migration plan (YAML; docs/design.md "Migrating dossiers in flight").
PlanLoadResult load_plan_file(const std::string& path);
PlanLoadResult load_plan_string(const std::string& text, const std::string& name);

}  // namespace ocop::config
