// The document tree, built from yaml-cpp's events.
#include "config/yaml/tree.hpp"

namespace ocop::config::yaml {

void TreeBuilder::OnNull(const YAML::Mark& m, YAML::anchor_t anchor) {
  Node n;
  n.line = line_of(m);
  n.column = column_of(m);
  add(std::move(n), anchor);
}

void TreeBuilder::OnAlias(const YAML::Mark& m, YAML::anchor_t anchor) {
  auto it = anchors_.find(anchor);
  Node n;
  if (it != anchors_.end())
    n = it->second;
  else
    n.line = line_of(m);
  add(std::move(n), 0);
}

void TreeBuilder::OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor,
                           const std::string& value) {
  Node n;
  n.kind = Node::Kind::scalar;
  n.line = line_of(m);
  n.column = column_of(m);
  n.value = value;
  add(std::move(n), anchor);
}

void TreeBuilder::OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor,
                                  YAML::EmitterStyle::value) {
  open(Node::Kind::seq, m, anchor);
}
void TreeBuilder::OnSequenceEnd() { close(); }
void TreeBuilder::OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor,
                             YAML::EmitterStyle::value) {
  open(Node::Kind::map, m, anchor);
}
void TreeBuilder::OnMapEnd() { close(); }

void TreeBuilder::open(Node::Kind kind, const YAML::Mark& m, YAML::anchor_t anchor) {
  Frame f;
  f.node.kind = kind;
  f.node.line = line_of(m);
  f.node.column = column_of(m);
  f.anchor = anchor;
  stack_.push_back(std::move(f));
}

void TreeBuilder::close() {
  Frame f = std::move(stack_.back());
  stack_.pop_back();
  add(std::move(f.node), f.anchor);
}

void TreeBuilder::add(Node n, YAML::anchor_t anchor) {
  if (anchor != 0) anchors_[anchor] = n;
  if (stack_.empty()) {
    root_ = std::move(n);
    has_root_ = true;
    return;
  }
  Node& parent = stack_.back().node;
  // An empty value ("parent:") is reported on its key's line, not wherever the parser
  // happened to stand.
  if (parent.is_map() && parent.items.size() % 2 == 1 && n.is_null()) {
    n.line = parent.items.back().line;
    n.column = parent.items.back().column;
  }
  parent.items.push_back(std::move(n));
}

}  // namespace ocop::config::yaml
