// The document tree, built from yaml-cpp's events, within the limits of config/config_file.hpp.
#include "config/yaml/tree.hpp"

#include "config/config_file.hpp"

namespace ocop::config::yaml {

namespace {

// A key or key path for a message: at most 60 bytes, cut at a character boundary.
std::string short_key(const std::string& k) {
  constexpr size_t kMax = 60;
  if (k.size() <= kMax) return k;
  size_t end = kMax;
  while (end > 0 && (static_cast<unsigned char>(k[end]) & 0xC0) == 0x80) --end;
  return k.substr(0, end) + "…";
}

}  // namespace

void TreeBuilder::OnNull(const YAML::Mark& m, YAML::anchor_t anchor) {
  Node n;
  n.line = line_of(m);
  n.column = column_of(m);
  const Size size{1, 0};
  count(size, m, false);
  add(std::move(n), size, anchor);
}

void TreeBuilder::OnAlias(const YAML::Mark& m, YAML::anchor_t anchor) {
  auto it = anchors_.find(anchor);
  Node n;
  Size size{1, 0};
  if (it != anchors_.end()) {
    size = it->second.size;
    count(size, m, true);  // before the copy: an alias bomb is refused here
    n = at(it->second.where);
  } else {
    count(size, m, true);
    n.line = line_of(m);
  }
  add(std::move(n), size, 0);
}

void TreeBuilder::OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor,
                           const std::string& value) {
  const Size size{1, value.size()};
  count(size, m, false);
  Node n;
  n.kind = Node::Kind::scalar;
  n.line = line_of(m);
  n.column = column_of(m);
  n.value = value;
  add(std::move(n), size, anchor);
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
  // yaml-cpp's parser recurses once per level: stopping here also bounds its stack.
  if (stack_.size() >= static_cast<size_t>(kMaxDepth))
    refuse(m, "nested more than " + std::to_string(kMaxDepth) + " levels deep (lists and mappings inside " +
                  "each other); a configuration may nest at most " + std::to_string(kMaxDepth));
  const Size size{1, 0};
  count(size, m, false);
  Frame f;
  f.node.kind = kind;
  f.node.line = line_of(m);
  f.node.column = column_of(m);
  f.anchor = anchor;
  f.size = size;
  stack_.push_back(std::move(f));
}

void TreeBuilder::close() {
  Frame f = std::move(stack_.back());
  stack_.pop_back();
  add(std::move(f.node), f.size, f.anchor);
}

void TreeBuilder::add(Node n, Size size, YAML::anchor_t anchor) {
  if (anchor != 0) {
    Anchor& a = anchors_[anchor];
    a.size = size;
    a.where.clear();
    for (const Frame& f : stack_) a.where.push_back(static_cast<uint32_t>(f.node.items.size()));
  }
  if (stack_.empty()) {
    root_ = std::move(n);
    has_root_ = true;
    return;
  }
  Frame& top = stack_.back();
  top.size += size;
  Node& parent = top.node;
  // An empty value ("parent:") is reported on its key's line, not wherever the parser
  // happened to stand.
  if (parent.is_map() && parent.items.size() % 2 == 1 && n.is_null()) {
    n.line = parent.items.back().line;
    n.column = parent.items.back().column;
  }
  parent.items.push_back(std::move(n));
}

const Node& TreeBuilder::at(const std::vector<uint32_t>& where) const {
  // The anchored node is either a closed child somewhere below an open frame, or a closed child
  // of a closed node: walk the open frames while the path goes through them.
  // where[0] indexes the outermost frame's (the root's) items, where[i] those of the frame at
  // depth i when the anchor was set.
  if (where.empty() || stack_.empty()) return root_;
  const Node* node = &stack_.front().node;
  size_t depth = 0;
  bool in_open_frames = true;
  for (uint32_t child : where) {
    if (in_open_frames && depth + 1 < stack_.size() && child == node->items.size()) {
      node = &stack_[++depth].node;
    } else {
      node = &node->items[child];
      in_open_frames = false;
    }
  }
  return *node;
}

void TreeBuilder::count(const Size& s, const YAML::Mark& m, bool alias) {
  total_ += s;
  const std::string start = alias ? "this alias takes the document past " : "the document holds more than ";
  if (total_.values > kMaxValues)
    refuse(m, start + grouped(kMaxValues) + " values" +
                  (alias ? " (an alias counts as every value it repeats)" : "") +
                  "; a configuration may hold at most " + grouped(kMaxValues));
  if (total_.bytes > kMaxTextBytes) {
    const std::string mib = std::to_string(kMaxTextBytes >> 20) + " MiB";
    refuse(m, start + mib + " of text" + (alias ? " (an alias counts as all the text it repeats)" : "") +
                  "; a configuration may hold at most " + mib + " of text");
  }
}

void TreeBuilder::refuse(const YAML::Mark& m, std::string message) const {
  // The key path to where the parse stands, as Path writes it: each open frame's next child.
  std::string key;
  for (const Frame& f : stack_) {
    const Node& n = f.node;
    if (n.is_seq()) {
      key += '[' + std::to_string(n.items.size()) + ']';
    } else if (n.is_map() && n.items.size() % 2 == 1) {
      const Node& k = n.items.back();
      if (!key.empty()) key += '.';
      key += k.is_scalar() ? short_key(k.value) : std::string("?");
    } else {
      break;  // a key that is itself a list or a mapping
    }
  }
  throw Refused{line_of(m), column_of(m), short_key(key), std::move(message)};
}

void DocumentCounter::enter() {
  if (++depth_ > kMaxDepth) throw Stop{};
}

}  // namespace ocop::config::yaml
