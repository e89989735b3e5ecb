// The document tree, built from yaml-cpp's events (tree.cpp). yaml-cpp's own YAML::Node is not
// used: building it costs about a quarter more than parsing, and it neither reports duplicate
// keys nor keeps the line of an empty value.
#pragma once

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/mark.h>

#include <unordered_map>
#include <vector>

#include "config/yaml/loader.hpp"

namespace ocop::config::yaml {

inline int line_of(const YAML::Mark& m) { return m.line >= 0 ? m.line + 1 : 0; }
inline int column_of(const YAML::Mark& m) { return m.column >= 0 ? m.column + 1 : 0; }

class TreeBuilder final : public YAML::EventHandler {
 public:
  bool has_root() const { return has_root_; }
  Node& root() { return root_; }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t anchor) override;
  void OnAlias(const YAML::Mark& m, YAML::anchor_t anchor) override;
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override;
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override;
  void OnSequenceEnd() override;
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override;
  void OnMapEnd() override;

 private:
  struct Frame {
    Node node;
    YAML::anchor_t anchor = 0;
  };
  void open(Node::Kind kind, const YAML::Mark& m, YAML::anchor_t anchor);
  void close();
  void add(Node n, YAML::anchor_t anchor);

  std::vector<Frame> stack_;
  std::unordered_map<YAML::anchor_t, Node> anchors_;
  Node root_;
  bool has_root_ = false;
};

// Counts documents after the first.
class DocumentCounter final : public YAML::EventHandler {
 public:
  int line = 0;
  void OnDocumentStart(const YAML::Mark& m) override {
    if (line == 0) line = line_of(m);
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
  }
  void OnMapEnd() override {}
};

}  // namespace ocop::config::yaml
