// The document tree, built from yaml-cpp's events (tree.cpp). yaml-cpp's own YAML::Node is not
// used: building it costs about a quarter more than parsing, and it neither reports duplicate
// keys nor keeps the line of an empty value.
#pragma once

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/mark.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/yaml/loader.hpp"

namespace ocop::config::yaml {

inline int line_of(const YAML::Mark& m) { return m.line >= 0 ? m.line + 1 : 0; }
inline int column_of(const YAML::Mark& m) { return m.column >= 0 ? m.column + 1 : 0; }

// Builds the tree of one document, within the limits of config/config_file.hpp: past one, it
// throws Refused (the parse stops there; nothing it built is used).
class TreeBuilder final : public YAML::EventHandler {
 public:
  struct Refused {
    int line = 0;
    int column = 0;
    std::string key;  // the dotted path to where the document crossed the bound
    std::string message;
  };

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
  // What a subtree holds: values (nodes) and bytes of scalar text.
  struct Size {
    size_t values = 0;
    size_t bytes = 0;
    Size& operator+=(const Size& o) {
      values += o.values;
      bytes += o.bytes;
      return *this;
    }
  };
  struct Frame {
    Node node;
    YAML::anchor_t anchor = 0;
    Size size;
  };
  // An anchored node, found again through the child indices from the root (the tree only ever
  // appends, so they stay valid), so that an anchor costs no copy until an alias repeats it.
  struct Anchor {
    std::vector<uint32_t> where;
    Size size;
  };
  void open(Node::Kind kind, const YAML::Mark& m, YAML::anchor_t anchor);
  void close();
  void add(Node n, Size size, YAML::anchor_t anchor);
  // Adds to the document's totals; throws Refused past a limit.
  void count(const Size& s, const YAML::Mark& m, bool alias);
  [[noreturn]] void refuse(const YAML::Mark& m, std::string message) const;
  const Node& at(const std::vector<uint32_t>& where) const;

  std::vector<Frame> stack_;
  std::unordered_map<YAML::anchor_t, Anchor> anchors_;
  Size total_;
  Node root_;
  bool has_root_ = false;
};

// Counts documents after the first. Builds nothing; stops (throws Stop, after `line` is set)
// where a document nests past the depth limit, so that yaml-cpp's recursive parser never goes
// deeper than the first document may.
class DocumentCounter final : public YAML::EventHandler {
 public:
  struct Stop {};
  int line = 0;
  void OnDocumentStart(const YAML::Mark& m) override {
    if (line == 0) line = line_of(m);
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    enter();
  }
  void OnSequenceEnd() override { --depth_; }
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    enter();
  }
  void OnMapEnd() override { --depth_; }

 private:
  void enter();
  int depth_ = 0;
};

}  // namespace ocop::config::yaml
