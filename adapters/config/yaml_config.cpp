// The YAML configuration loader (spec §5): the public entry points. The loader itself lives in
// config/yaml/, one file per section (loader.hpp describes the parts).
//
// yaml-cpp's event parser feeds a small tree of our own (every node keeps its line), which is
// then checked section by section. Every check records a Problem and goes on, so one run lists
// them all. Cross-references are resolved through hash maps keyed by views into the tree (which
// lives until the end of the load), so a national file (3,321 communes, 10,000 users) is linear.
#include "config/yaml_config.hpp"

#include <utility>

#include "config/config_file.hpp"
#include "config/yaml/loader.hpp"

namespace ocop::config {

std::string Problem::to_string() const {
  std::string s = file;
  if (line > 0) {
    s += ':';
    s += std::to_string(line);
  }
  s += ": ";
  if (!key.empty()) {
    s += key;
    s += ": ";
  }
  s += message;
  return s;
}

LoadResult load_string(const std::string& text, const std::string& name) {
  return yaml::Loader(name).run(text);
}

PlanLoadResult load_plan_string(const std::string& text, const std::string& name) {
  return yaml::Loader(name).plan(text);
}

PlanLoadResult load_plan_file(const std::string& path) {
  std::string text;
  if (auto problem = read_config_file(path, text)) {
    PlanLoadResult r;
    r.plan.source = path;
    r.problems.push_back(std::move(*problem));
    return r;
  }
  return load_plan_string(text, path);
}

LoadResult load_file(const std::string& path) {
  std::string text;
  if (auto problem = read_config_file(path, text)) {
    LoadResult r;
    r.config.source = path;
    r.problems.push_back(std::move(*problem));
    return r;
  }
  return load_string(text, path);
}

}  // namespace ocop::config
